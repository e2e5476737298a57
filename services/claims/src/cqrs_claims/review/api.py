"""Review routes: queues by step, a claim under review, the decisions, and each commissioner's flow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict

from cqrs_claims.claims import views
from cqrs_claims.claims.domain import money
from cqrs_claims.claims.problems import ClaimProblem, as_problems
from cqrs_claims.review.domain.decisions import SegregationOfDuties
from cqrs_claims.review.domain.flow import ReviewFlow
from cqrs_claims.review.domain.state import PaymentState, ReviewState
from cqrs_claims.review.service import QueueFilter, Reviews
from cqrs_claims.review.wiring import reviews_of
from cqrs_contracts.values import Id, OdsCode, Text
from cqrs_kit.auth import CurrentUser
from cqrs_kit.preconditions import IfMatch, expected_version, tag
from cqrs_kit.runtime import RuntimeDep

router = APIRouter(tags=["review"])
StepName = Annotated[str, Query(min_length=1, max_length=60, pattern=r"^[\w .()-]+$")]


class QueueItem(BaseModel):
    """A claim waiting at a step, as the queue lists it."""

    claim_id: str
    provider_organisation_id: str
    quality_service_ids: list[str]
    status: str
    step: str
    total_pence: int
    total: str
    value_band: str
    awaiting_since: dt.datetime
    age_days: int
    reason: str


class QueuePage(BaseModel):
    """One page of a review queue."""

    total: int
    page: int
    size: int
    items: list[QueueItem]


class ReviewDetail(views.ClaimDetail):
    """A claim under review: the claim page with where it is in the flow and its payment."""

    review: ReviewState | None
    payment: PaymentState


class Reason(BaseModel):
    """Why a claim is rejected or returned (shown to the provider)."""

    model_config = ConfigDict(extra="forbid")

    reason: Text


class Approval(BaseModel):
    """An approval at the claim's current step (nothing to say)."""

    model_config = ConfigDict(extra="forbid")


@contextmanager
def _problems() -> Iterator[None]:
    try:
        with as_problems():
            yield
    except ClaimProblem as exc:
        if isinstance(exc.__cause__, SegregationOfDuties):
            raise ClaimProblem(str(exc), status=403, title="Segregation of duties", field=exc.field) from exc
        raise


def _reviews(runtime: RuntimeDep) -> Reviews:
    return reviews_of(runtime)


async def _detail(reviews: Reviews, claim_id: str, user: CurrentUser) -> ReviewDetail:
    claims = reviews.claims
    claim = await claims.visible(user, claim_id)
    page = views.detail(claim, await claims.services_by_version(claim), await claims.attachments_of(claim))
    return ReviewDetail(**page.model_dump(), review=claim.review, payment=claim.payment)


@router.get("/review/queue")
async def review_queue(
    *,
    commissioner_organisation_id: OdsCode,
    step: StepName,
    user: CurrentUser,
    runtime: RuntimeDep,
    quality_service_id: Annotated[Id | None, Query(pattern=r"^[\x21-\x7e]+$")] = None,
    provider_organisation_id: OdsCode | None = None,
    value_band: Literal["Low", "Medium", "High"] | None = None,
    min_age_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    max_age_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> QueuePage:
    """Claims waiting at one step of the commissioner's flow, oldest first, filtered and paged."""
    wanted = QueueFilter(
        step, quality_service_id, provider_organisation_id, value_band, min_age_days, max_age_days
    )
    total, claims = await _reviews(runtime).queue(
        user, commissioner_organisation_id, wanted, page=page, size=size
    )
    now = dt.datetime.now(dt.UTC)
    items = [
        QueueItem(
            claim_id=c.claim_id,
            provider_organisation_id=c.provider_organisation_id,
            quality_service_ids=sorted({x.quality_service_id for x in c.lines}),
            status=c.status.value,
            step=c.review.step,
            total_pence=c.total_pence,
            total=money.pounds(c.total_pence),
            value_band=c.review.value_band,
            awaiting_since=c.review.awaiting_since,
            age_days=(now - c.review.awaiting_since).days,
            reason=c.review.reason,
        )
        for c in claims
        if c.review is not None
    ]
    return QueuePage(total=total, page=page, size=size, items=items)


@router.get("/review/claims/{claim_id}")
async def review_claim(claim_id: Id, user: CurrentUser, runtime: RuntimeDep) -> ReviewDetail:
    """A claim under review: lines, totals, attachments (downloadable once clean), its step and sign-offs."""
    return await _detail(_reviews(runtime), claim_id, user)


@router.post("/review/claims/{claim_id}/approve")
async def approve(
    claim_id: Id, body: Approval, request: Request, user: CurrentUser, runtime: RuntimeDep
) -> ReviewDetail:
    """Sign off the claim's current step (nobody signs off two steps of one claim)."""
    reviews = _reviews(runtime)
    with _problems():
        await reviews.decide(user, claim_id, "approve", None, request.state.correlation_id)
    return await _detail(reviews, claim_id, user)


@router.post("/review/claims/{claim_id}/reject")
async def reject(
    claim_id: Id, body: Reason, request: Request, user: CurrentUser, runtime: RuntimeDep
) -> ReviewDetail:
    """Reject the claim at its current step, with the reason."""
    reviews = _reviews(runtime)
    with _problems():
        await reviews.decide(user, claim_id, "reject", body.reason, request.state.correlation_id)
    return await _detail(reviews, claim_id, user)


@router.post("/review/claims/{claim_id}/return")
async def return_claim(
    claim_id: Id, body: Reason, request: Request, user: CurrentUser, runtime: RuntimeDep
) -> ReviewDetail:
    """Return the claim to the provider to change and resubmit, with the reason (Tier 1 by default)."""
    reviews = _reviews(runtime)
    with _problems():
        await reviews.decide(user, claim_id, "return", body.reason, request.state.correlation_id)
    return await _detail(reviews, claim_id, user)


class SavedReviewFlow(ReviewFlow):
    """A commissioner's review flow and its version (also its ETag): send it back as If-Match."""

    version: int


@router.get("/review/flows/{commissioner_organisation_id}")
async def get_flow(
    commissioner_organisation_id: OdsCode, response: Response, user: CurrentUser, runtime: RuntimeDep
) -> SavedReviewFlow:
    """The commissioner's review flow (the default, version 0, until one is saved); the ETag is the
    version to send as If-Match when replacing it."""
    flow, version = await _reviews(runtime).flow(user, commissioner_organisation_id, read_only=True)
    tag(response, version)
    return SavedReviewFlow(**flow.model_dump(), version=version)


@router.put("/review/flows/{commissioner_organisation_id}")
async def put_flow(
    commissioner_organisation_id: OdsCode,
    body: ReviewFlow,
    *,
    response: Response,
    user: CurrentUser,
    runtime: RuntimeDep,
    if_match: IfMatch = None,
) -> SavedReviewFlow:
    """Replace the commissioner's review flow: steps, role per step, bands, thresholds, sign-offs.
    If-Match (the flow's ETag) is required: an edit made from a stale copy is refused with 412."""
    made_from = expected_version(if_match, "review flow")
    flow, version = await _reviews(runtime).set_flow(
        user, commissioner_organisation_id, body, made_from=made_from
    )
    tag(response, version)
    return SavedReviewFlow(**flow.model_dump(), version=version)
