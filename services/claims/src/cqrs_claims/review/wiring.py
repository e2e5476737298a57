"""Wiring of review and payments into the claims service (after CL1's claims wiring)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from cqrs_claims.claims.settings import claims_settings
from cqrs_claims.claims.wiring import claims_of
from cqrs_claims.payments.domain import PaymentSchedule
from cqrs_claims.payments.simulator import ANSWERS
from cqrs_claims.payments.store import BATCHES, PaymentStore
from cqrs_claims.payments.store import INDEXES as PAYMENT_INDEXES
from cqrs_claims.review.store import INDEXES as REVIEW_INDEXES
from cqrs_claims.review.store import FlowStore
from cqrs_kit import clock
from cqrs_kit.app import ServiceSpec
from cqrs_kit.runtime import Runtime
from cqrs_kit.settings import ServiceSettings

if TYPE_CHECKING:
    from cqrs_claims.payments.service import Payments
    from cqrs_claims.review.service import Reviews

_REVIEWS = "reviews"
_PAYMENTS = "payments"
_CLOCK = "payment_clock"


def extend(spec: ServiceSpec, settings: ServiceSettings) -> ServiceSpec:
    """The service's spec with review, payments and bulk claims added (claims must be wired first)."""
    from cqrs_claims.bulk import api as bulk_api  # noqa: PLC0415 - routes import wiring
    from cqrs_claims.bulk.service import INDEXES as BULK_INDEXES  # noqa: PLC0415
    from cqrs_claims.bulk.service import BulkClaims  # noqa: PLC0415
    from cqrs_claims.payments import api as payment_api  # noqa: PLC0415
    from cqrs_claims.payments import handlers as payment_handlers  # noqa: PLC0415
    from cqrs_claims.payments import simulator  # noqa: PLC0415
    from cqrs_claims.payments.service import Payments, batch_clock  # noqa: PLC0415
    from cqrs_claims.review import api  # noqa: PLC0415
    from cqrs_claims.review.service import Reviews  # noqa: PLC0415

    cfg = claims_settings(settings)
    schedule = PaymentSchedule(
        batch_time=cfg.claims_payment_batch_time,
        timezone=cfg.claims_payment_timezone,
        answer_within=dt.timedelta(hours=cfg.claims_payment_answer_hours),
        max_resends=cfg.claims_payment_max_resends,
    )
    before = spec.subscribe
    started, stopped = spec.on_start, spec.on_stop

    def subscribe(runtime: Runtime) -> None:
        if before is not None:
            before(runtime)
        claims = claims_of(runtime)
        reviews = Reviews(claims=claims, flows=FlowStore(runtime))
        claims.after_system_review = reviews.on_ready
        runtime.extras[_REVIEWS] = reviews
        runtime.extras[bulk_api.BULK] = BulkClaims(claims)
        payments = Payments(
            claims=claims, store=PaymentStore(runtime), flows=reviews.flows, schedule=schedule
        )
        runtime.extras[_PAYMENTS] = payments
        payment_handlers.subscribe(runtime, payments)
        if cfg.claims_payment_simulator:
            simulator.subscribe(runtime)

    async def on_start(runtime: Runtime) -> None:
        if started is not None:
            await started(runtime)
        if cfg.claims_payment_tick_seconds > 0:
            clock_task = batch_clock(payments_of(runtime), cfg.claims_payment_tick_seconds, clock.now)
            runtime.extras[_CLOCK] = asyncio.get_running_loop().create_task(clock_task)

    async def on_stop(runtime: Runtime) -> None:
        task = runtime.extras.pop(_CLOCK, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if stopped is not None:
            await stopped(runtime)

    return dataclasses.replace(
        spec,
        routers=[*spec.routers, api.router, payment_api.router, bulk_api.router],
        indexes=[*spec.indexes, *REVIEW_INDEXES, *PAYMENT_INDEXES, *BULK_INDEXES],
        outbox_collections=[
            *spec.outbox_collections,
            BATCHES,
            *([ANSWERS] if cfg.claims_payment_simulator else []),
        ],
        subscribe=subscribe,
        on_start=on_start,
        on_stop=on_stop,
    )


def reviews_of(runtime: Runtime) -> Reviews:
    """The review use cases wired into a runtime."""
    reviews: Reviews = runtime.extras[_REVIEWS]
    return reviews


def payments_of(runtime: Runtime) -> Payments:
    """The payments use cases wired into a runtime."""
    payments: Payments = runtime.extras[_PAYMENTS]
    return payments
