"""Examples of the review and payment events (the guide's claim 35929, High band, through Finance)."""

from datetime import UTC, datetime

from cqrs_contracts.events import (
    ClaimApproved,
    ClaimApprovedAtStep,
    ClaimAwaitingReview,
    ClaimPaid,
    ClaimPaymentFailed,
    ClaimRejected,
    ClaimSentForPayment,
    Event,
    PaymentBatchFlagged,
    PaymentBatchSent,
    PaymentConfirmed,
    PaymentFailed,
    PaymentItem,
)

_WHEN = datetime(2025, 7, 4, 14, 0, tzinfo=UTC)
_CLAIM = "35929"
_BATCH = "QWE-20250704"
_TOTAL = 5_232_104


def review_examples() -> list[Event]:
    """One valid instance of each review and payment event."""
    common = {"claim_id": _CLAIM, "provider_organisation_id": "A81001", "commissioner_organisation_id": "QWE"}
    item = PaymentItem(
        claim_id=_CLAIM,
        provider_organisation_id="A81001",
        quality_service_id="qs-complex-care",
        paycode="LCL-CCP",
        amount_pence=_TOTAL,
    )
    return [
        ClaimAwaitingReview(
            step="Tier 2",
            step_number=2,
            steps=["Tier 1", "Tier 2", "Finance"],
            role="Local Approver Tier 2",
            status="Pending Tier 2 Review",
            sign_offs_needed=1,
            total_pence=_TOTAL,
            value_band="High",
            awaiting_since=_WHEN,
            **common,
        ),
        ClaimApprovedAtStep(
            step="Tier 1",
            step_number=1,
            sign_offs_given=1,
            sign_offs_needed=1,
            approved_by="user-7",
            approved_at=_WHEN,
            **common,
        ),
        ClaimApproved(
            total_pence=_TOTAL, approved_by=["user-7", "user-8", "user-9"], approved_at=_WHEN, **common
        ),
        ClaimRejected(
            step="Tier 1",
            reason="Evidence does not match the units",
            rejected_by="user-7",
            rejected_at=_WHEN,
            **common,
        ),
        ClaimSentForPayment(batch_id=_BATCH, total_pence=_TOTAL, sent_at=_WHEN, **common),
        ClaimPaid(
            batch_id=_BATCH, total_pence=_TOTAL, payment_reference="PCSE-0001", paid_at=_WHEN, **common
        ),
        ClaimPaymentFailed(batch_id=_BATCH, reason="Bank details not held", failed_at=_WHEN, **common),
        PaymentBatchSent(
            batch_id=_BATCH,
            commissioner_organisation_id="QWE",
            attempt=1,
            items=[item],
            total_pence=_TOTAL,
            sent_at=_WHEN,
        ),
        PaymentBatchFlagged(
            batch_id=_BATCH,
            commissioner_organisation_id="QWE",
            attempts=4,
            claim_ids=[_CLAIM],
            flagged_at=_WHEN,
        ),
        PaymentConfirmed(
            batch_id=_BATCH,
            claim_id=_CLAIM,
            amount_pence=_TOTAL,
            payment_reference="PCSE-0001",
            paid_at=_WHEN,
        ),
        PaymentFailed(batch_id=_BATCH, claim_id=_CLAIM, reason="Bank details not held", failed_at=_WHEN),
    ]
