"""Review decisions: a claim arrives at a step, is signed off, approved, rejected or returned, and
goes back to the commissioner when its payment fails. Pure: ``decide`` returns events.

The table below says what each status allows; segregation of duties is checked on every sign-off:
nobody signs off two steps of one claim, nor a step twice, nor a claim they submitted themselves
(a commissioner who entered bulk claims for providers is not the one who reviews them).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from cqrs_claims.claims.domain.claim import Claim, ClaimRuleBroken, ClaimStatus, NotAllowedNow
from cqrs_claims.review.domain.flow import ReviewFlow, Step
from cqrs_contracts.events import (
    ClaimApproved,
    ClaimApprovedAtStep,
    ClaimAwaitingReview,
    ClaimRejected,
    ClaimReturned,
    Event,
)


class ReviewAction(StrEnum):
    """What a reviewer can do to a claim waiting at a step."""

    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return to the provider"


_AT_A_STEP = frozenset({ReviewAction.APPROVE, ReviewAction.REJECT, ReviewAction.RETURN})

#: The review table: what each status allows (a step without ``may_return`` also refuses RETURN).
REVIEW_ALLOWED: dict[ClaimStatus, frozenset[ReviewAction]] = {
    status: _AT_A_STEP
    if status
    in {
        ClaimStatus.PENDING_TIER_1_REVIEW,
        ClaimStatus.PENDING_TIER_2_REVIEW,
        ClaimStatus.PENDING_FINANCE_APPROVAL,
    }
    else frozenset()
    for status in ClaimStatus
}


class SegregationOfDuties(ClaimRuleBroken):
    """The same person may not sign off two steps of one claim (nor one they submitted)."""


def _common(claim: Claim) -> dict[str, Any]:
    return {
        "claim_id": claim.claim_id,
        "provider_organisation_id": claim.provider_organisation_id,
        "commissioner_organisation_id": claim.commissioner_organisation_id,
    }


def arrive(
    claim: Claim, route: list[Step], number: int, band: str, now: dt.datetime, *, reason: str = ""
) -> ClaimAwaitingReview:
    """The claim waits at step ``number`` (1-based) of its route."""
    step = route[number - 1]
    return ClaimAwaitingReview(
        **_common(claim),
        step=step.name,
        step_number=number,
        steps=[s.name for s in route],
        role=step.role,
        status=step.status.value,
        sign_offs_needed=step.sign_offs,
        total_pence=claim.total_pence,
        value_band=band,  # type: ignore[arg-type]
        reason=reason,
        awaiting_since=now,
    )


def start(claim: Claim, flow: ReviewFlow, now: dt.datetime) -> list[Event]:
    """A claim every attachment of which is clean enters its commissioner's flow at the first step."""
    route = flow.route(claim.total_pence)
    return [arrive(claim, route, 1, flow.bands.band(claim.total_pence), now)]


def require_review(claim: Claim, action: ReviewAction) -> None:
    """Refuse what the review table does not allow in the claim's status."""
    if action not in REVIEW_ALLOWED[claim.status] or claim.review is None:
        msg = f"a claim that is {claim.status.value} cannot be {_done(action)}"
        raise NotAllowedNow(msg, field="status")


def _done(action: ReviewAction) -> str:
    return {"approve": "approved", "reject": "rejected"}.get(action.value, "returned to the provider")


def _route(claim: Claim, flow: ReviewFlow) -> list[Step]:
    """The claim's route as it was when it entered review, with today's definition of each step."""
    assert claim.review is not None
    return [s for s in (flow.step(name) for name in claim.review.steps) if s is not None]


def _check_duties(claim: Claim, actor: str) -> None:
    review = claim.review
    assert review is not None
    if actor == claim.submitted_by:
        msg = "you submitted this claim, so someone else must review it"
        raise SegregationOfDuties(msg, field="claim_id")
    if actor in review.signed_elsewhere():
        msg = "you signed off another step of this claim; someone else must sign off this one"
        raise SegregationOfDuties(msg, field="claim_id")
    if actor in review.signed_at_step():
        msg = f"you already signed off {review.step}; it needs another person"
        raise SegregationOfDuties(msg, field="claim_id")


def approve(claim: Claim, flow: ReviewFlow, actor: str, now: dt.datetime) -> list[Event]:
    """Sign off the step; the last sign-off moves the claim to the next step, or approves it."""
    require_review(claim, ReviewAction.APPROVE)
    _check_duties(claim, actor)
    review = claim.review
    assert review is not None
    given = len(review.signed_at_step()) + 1
    events: list[Event] = [
        ClaimApprovedAtStep(
            **_common(claim),
            step=review.step,
            step_number=review.step_number,
            sign_offs_given=given,
            sign_offs_needed=review.sign_offs_needed,
            approved_by=actor,
            approved_at=now,
        )
    ]
    if given < review.sign_offs_needed:
        return events
    route = _route(claim, flow)
    names = [s.name for s in route]
    following = names.index(review.step) + 1 if review.step in names else len(names)
    if following < len(route):
        return [*events, arrive(claim, route, following + 1, review.value_band, now)]
    approvers = [*(s.user_id for s in review.sign_offs), actor]
    return [
        *events,
        ClaimApproved(
            **_common(claim), total_pence=claim.total_pence, approved_by=approvers, approved_at=now
        ),
    ]


def reject(claim: Claim, actor: str, reason: str, now: dt.datetime) -> list[Event]:
    """Reject the claim at its step, with the reason (final)."""
    require_review(claim, ReviewAction.REJECT)
    _check_duties(claim, actor)
    assert claim.review is not None
    return [
        ClaimRejected(
            **_common(claim), step=claim.review.step, reason=reason, rejected_by=actor, rejected_at=now
        )
    ]


def return_to_provider(
    claim: Claim, flow: ReviewFlow, actor: str, reason: str, now: dt.datetime
) -> list[Event]:
    """Send the claim back to the provider to change and resubmit (only where the step allows it)."""
    require_review(claim, ReviewAction.RETURN)
    assert claim.review is not None
    step = flow.step(claim.review.step)
    if step is None or not step.may_return:
        msg = f"{claim.review.step} cannot return claims to the provider: approve or reject it"
        raise NotAllowedNow(msg, field="status")
    _check_duties(claim, actor)
    return [
        ClaimReturned(
            **_common(claim), reasons=[reason], returned_by=actor, returned_at=now, step=claim.review.step
        )
    ]
