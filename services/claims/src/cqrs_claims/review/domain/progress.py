"""How review and payment events change a claim (the claim's ``apply`` hands them here)."""

from __future__ import annotations

from cqrs_claims.claims.domain.claim import Claim, ClaimStatus
from cqrs_claims.review.domain.state import PaymentState, ReviewState, SignOff
from cqrs_contracts.events import (
    ClaimApproved,
    ClaimApprovedAtStep,
    ClaimAwaitingReview,
    ClaimPaid,
    ClaimPaymentFailed,
    ClaimRejected,
    ClaimSentForPayment,
    Event,
)

REVIEW_EVENTS = (
    ClaimAwaitingReview,
    ClaimApprovedAtStep,
    ClaimApproved,
    ClaimRejected,
    ClaimSentForPayment,
    ClaimPaid,
    ClaimPaymentFailed,
)


def _arrived(state: Claim, event: ClaimAwaitingReview) -> Claim:
    before = state.review
    # The first step on the way forward starts a new round: earlier sign-offs no longer count.
    new_round = before is None or (event.step_number == 1 and not event.reason)
    kept = [] if new_round or before is None else [s for s in before.sign_offs if s.step != event.step]
    review = ReviewState(
        steps=event.steps,
        step=event.step,
        step_number=event.step_number,
        role=event.role,
        sign_offs_needed=event.sign_offs_needed,
        total_pence=event.total_pence,
        value_band=event.value_band,
        awaiting_since=event.awaiting_since,
        reason=event.reason,
        sign_offs=kept,
    )
    return state.model_copy(update={"status": ClaimStatus(event.status), "review": review})


def apply_review(state: Claim, event: Event) -> Claim | None:
    """Fold a review or payment event into the claim (None: not one of them)."""
    if isinstance(event, ClaimAwaitingReview):
        return _arrived(state, event)
    review = state.review
    if isinstance(event, ClaimApprovedAtStep) and review is not None:
        signed = SignOff(step=event.step, user_id=event.approved_by, at=event.approved_at)
        return state.model_copy(
            update={"review": review.model_copy(update={"sign_offs": [*review.sign_offs, signed]})}
        )
    if isinstance(event, ClaimApproved):
        return state.model_copy(update={"status": ClaimStatus.APPROVED})
    if isinstance(event, ClaimRejected):
        decided = (
            review.model_copy(update={"decided_by": event.rejected_by, "decision_reason": event.reason})
            if review
            else None
        )
        return state.model_copy(update={"status": ClaimStatus.REJECTED, "review": decided})
    return _apply_payment(state, event)


def _apply_payment(state: Claim, event: Event) -> Claim | None:
    payment = state.payment
    if isinstance(event, ClaimSentForPayment):
        sent = PaymentState(batch_id=event.batch_id, failed_batches=payment.failed_batches)
        return state.model_copy(update={"status": ClaimStatus.SENT_FOR_PAYMENT, "payment": sent})
    if isinstance(event, ClaimPaid):
        paid = payment.model_copy(
            update={
                "batch_id": event.batch_id,
                "payment_reference": event.payment_reference,
                "paid_at": event.paid_at,
            }
        )
        return state.model_copy(update={"status": ClaimStatus.PAID, "payment": paid})
    if isinstance(event, ClaimPaymentFailed):
        failed = payment.model_copy(
            update={
                "failure_reason": event.reason,
                "failed_batches": [*payment.failed_batches, event.batch_id],
            }
        )
        return state.model_copy(update={"payment": failed})
    return None
