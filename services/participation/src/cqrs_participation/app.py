"""Wiring of the participation service."""

from __future__ import annotations

from typing import Any

from cqrs_kit.app import ServiceSpec, create_service_app
from cqrs_kit.settings import ServiceSettings
from cqrs_participation.api import router
from cqrs_participation.store import INDEXES, OFFERS

SPEC = ServiceSpec(
    name="participation",
    description="Quality Services, offers and their statuses.",
    routers=[router],
    indexes=INDEXES,
    outbox_collections=[OFFERS],
)


def create_app(settings: ServiceSettings | None = None) -> Any:
    """The participation ASGI app (uvicorn --factory)."""
    return create_service_app(SPEC, settings or ServiceSettings(service_name=SPEC.name))
