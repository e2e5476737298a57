"""Wiring of the identity service: routes, indexes, outbox collections and its own token check."""

from __future__ import annotations

from typing import Any

from cqrs_identity.access import keyring, verifier
from cqrs_identity.api_accounts import router as accounts_router
from cqrs_identity.api_auth import router as auth_router
from cqrs_identity.api_clusters import router as clusters_router
from cqrs_identity.api_orgs import router as orgs_router
from cqrs_identity.api_users import router as users_router
from cqrs_identity.settings import identity_settings
from cqrs_identity.store import INDEXES, OUTBOX_COLLECTIONS
from cqrs_kit.app import ServiceSpec, create_service_app
from cqrs_kit.runtime import Runtime
from cqrs_kit.settings import ServiceSettings


async def _on_start(runtime: Runtime) -> None:
    """Load (or make) the signing key now, so the first login does not wait for it."""
    await keyring(runtime).key()
    verifier(runtime)


SPEC = ServiceSpec(
    name="identity",
    description="Organisations, PCN relationships, users, registrations, roles, clusters, "
    "allocated reports, login and tokens.",
    routers=[auth_router, orgs_router, accounts_router, users_router, clusters_router],
    indexes=INDEXES,
    outbox_collections=OUTBOX_COLLECTIONS,
    on_start=_on_start,
    token_verifier=verifier,
)


def create_app(settings: ServiceSettings | None = None) -> Any:
    """The identity ASGI app (uvicorn --factory)."""
    return create_service_app(SPEC, identity_settings(settings or ServiceSettings(service_name=SPEC.name)))
