"""Wiring of the claims service: achievement and declarations so far."""

from __future__ import annotations

from typing import Any

from cqrs_claims.achievement import handlers as achievement_handlers
from cqrs_claims.achievement import store as achievement_store
from cqrs_claims.achievement.routes import router as achievement_router
from cqrs_claims.declarations.routes import router as declarations_router
from cqrs_claims.declarations.service import COLLECTION as DECLARATIONS
from cqrs_kit.app import ServiceSpec, create_service_app
from cqrs_kit.mongo import Index
from cqrs_kit.runtime import Runtime
from cqrs_kit.settings import ServiceSettings


def subscribe(runtime: Runtime) -> None:
    """Every subscription of the claims service, in one place."""
    achievement_handlers.subscribe(runtime)


SPEC = ServiceSpec(
    name="claims",
    description="Claims, attachments, reviews, payments, achievement and declarations.",
    routers=[achievement_router, declarations_router],
    indexes=[
        *achievement_store.INDEXES,
        Index(DECLARATIONS, ["status"]),
        Index(DECLARATIONS, ["quality_service_id"]),
        Index(DECLARATIONS, ["provider_organisation_id"]),
    ],
    outbox_collections=[DECLARATIONS],
    subscribe=subscribe,
)


def create_app(settings: ServiceSettings | None = None) -> Any:
    """The claims ASGI app (uvicorn --factory)."""
    return create_service_app(SPEC, settings or ServiceSettings(service_name=SPEC.name))
