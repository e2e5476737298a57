"""Wiring of the participation service."""

from __future__ import annotations

from typing import Any

from cqrs_kit.app import ServiceSpec, create_service_app
from cqrs_kit.settings import ServiceSettings
from cqrs_participation.api_catalogue import router as catalogue_router
from cqrs_participation.api_drafts import router as drafts_router
from cqrs_participation.api_offers import router as offers_router
from cqrs_participation.store import INDEXES, OUTBOX_COLLECTIONS

SPEC = ServiceSpec(
    name="participation",
    description="Quality Services (the catalogue), offers to providers and their statuses.",
    routers=[catalogue_router, drafts_router, offers_router],
    indexes=INDEXES,
    outbox_collections=OUTBOX_COLLECTIONS,
)


def create_app(settings: ServiceSettings | None = None) -> Any:
    """The participation ASGI app (uvicorn --factory)."""
    return create_service_app(SPEC, settings or ServiceSettings(service_name=SPEC.name))
