"""Wiring of the identity service: routes, indexes, outbox collections and its own token check."""

from __future__ import annotations

from typing import Any

from cqrs_identity.access import keyring, verifier
from cqrs_identity.allocations.routes import router as allocations_router
from cqrs_identity.auth.routes import router as auth_router
from cqrs_identity.clusters.routes import router as clusters_router
from cqrs_identity.emails import sending
from cqrs_identity.onboarding.routes import router as accounts_router
from cqrs_identity.organisations.routes import router as orgs_router
from cqrs_identity.settings import identity_settings
from cqrs_identity.store import INDEXES, OUTBOX_COLLECTIONS
from cqrs_identity.users.routes import router as users_router
from cqrs_kit.app import ServiceSpec, create_service_app
from cqrs_kit.mail_outbox import INDEXES as MAIL_INDEXES
from cqrs_kit.runtime import Runtime
from cqrs_kit.settings import ServiceSettings


async def _on_start(runtime: Runtime) -> None:
    """Load (or make) the signing key now, so the first login does not wait for it; start mailing."""
    await keyring(runtime).key()
    verifier(runtime)
    await sending.start(runtime)


SPEC = ServiceSpec(
    name="identity",
    description="Organisations, PCN relationships, users, registrations, roles, clusters, "
    "allocated reports, login and tokens.",
    routers=[auth_router, orgs_router, accounts_router, users_router, clusters_router, allocations_router],
    indexes=[*INDEXES, *MAIL_INDEXES],
    outbox_collections=OUTBOX_COLLECTIONS,
    subscribe=sending.subscribe,
    on_start=_on_start,
    on_stop=sending.stop,
    token_verifier=verifier,
)


def create_app(settings: ServiceSettings | None = None) -> Any:
    """The identity ASGI app (uvicorn --factory)."""
    return create_service_app(SPEC, identity_settings(settings or ServiceSettings(service_name=SPEC.name)))
