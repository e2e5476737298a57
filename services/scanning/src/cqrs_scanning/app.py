"""Wiring of the scanning service (health, readiness and API documents only, so far)."""

from __future__ import annotations

from typing import Any

from cqrs_kit.app import ServiceSpec, create_service_app
from cqrs_kit.settings import ServiceSettings

SPEC = ServiceSpec(name="scanning", description="Anti-malware and content checks of attachments.")


def create_app(settings: ServiceSettings | None = None) -> Any:
    """The scanning ASGI app (uvicorn --factory)."""
    return create_service_app(SPEC, settings or ServiceSettings(service_name=SPEC.name))
