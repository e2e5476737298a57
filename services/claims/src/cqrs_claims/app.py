"""Wiring of the claims service (health, readiness and API documents only, so far)."""

from __future__ import annotations

from typing import Any

from cqrs_claims.claims import wiring as claims_wiring
from cqrs_claims.claims.settings import ClaimsSettings
from cqrs_kit.app import ServiceSpec, create_service_app
from cqrs_kit.settings import ServiceSettings

SPEC = ServiceSpec(name="claims", description="Claims, attachments, reviews, payments and declarations.")


def create_app(settings: ServiceSettings | None = None) -> Any:
    """The claims ASGI app (uvicorn --factory)."""
    settings = settings or ClaimsSettings(service_name=SPEC.name)
    spec = SPEC
    spec = claims_wiring.extend(spec, settings)  # CL1: claim windows, claims, attachments, catalogue
    return create_service_app(spec, settings)
