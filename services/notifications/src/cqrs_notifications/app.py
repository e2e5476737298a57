"""Wiring of the notifications service."""

from __future__ import annotations

from typing import Any

from cqrs_kit.app import ServiceSpec, create_service_app
from cqrs_kit.settings import ServiceSettings
from cqrs_notifications.api import router
from cqrs_notifications.handlers import subscribe
from cqrs_notifications.store import INDEXES, TASKS

SPEC = ServiceSpec(
    name="notifications",
    description="Message Centre tasks and messages.",
    routers=[router],
    indexes=INDEXES,
    subscribe=subscribe,
    read_models=[TASKS],
)


def create_app(settings: ServiceSettings | None = None) -> Any:
    """The notifications ASGI app (uvicorn --factory)."""
    return create_service_app(SPEC, settings or ServiceSettings(service_name=SPEC.name))
