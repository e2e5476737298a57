"""Wiring of review and payments into the claims service (after CL1's claims wiring)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from cqrs_claims.claims.wiring import claims_of
from cqrs_claims.review.store import INDEXES as REVIEW_INDEXES
from cqrs_claims.review.store import FlowStore
from cqrs_kit.app import ServiceSpec
from cqrs_kit.runtime import Runtime
from cqrs_kit.settings import ServiceSettings

if TYPE_CHECKING:
    from cqrs_claims.review.service import Reviews

_REVIEWS = "reviews"


def extend(spec: ServiceSpec, settings: ServiceSettings) -> ServiceSpec:
    """The service's spec with review added (claims must be wired first)."""
    from cqrs_claims.review import api  # noqa: PLC0415 - routes import wiring
    from cqrs_claims.review.service import Reviews  # noqa: PLC0415

    before = spec.subscribe

    def subscribe(runtime: Runtime) -> None:
        if before is not None:
            before(runtime)
        claims = claims_of(runtime)
        reviews = Reviews(claims=claims, flows=FlowStore(runtime.mongo))
        claims.after_system_review = reviews.on_ready
        runtime.extras[_REVIEWS] = reviews

    return dataclasses.replace(
        spec,
        routers=[*spec.routers, api.router],
        indexes=[*spec.indexes, *REVIEW_INDEXES],
        subscribe=subscribe,
    )


def reviews_of(runtime: Runtime) -> Reviews:
    """The review use cases wired into a runtime."""
    reviews: Reviews = runtime.extras[_REVIEWS]
    return reviews
