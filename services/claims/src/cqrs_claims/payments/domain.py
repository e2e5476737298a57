"""Payment batches, pure: when the day's batch is due, what it carries, when it is re-sent or
flagged, and what the payment system's answers do to a claim (duplicates and late answers too).

Batch table: Sent --answer for every claim--> Answered; Sent --18 h without every answer--> re-sent
(at most ``max_resends`` times) --still unanswered--> Flagged (people must follow it up).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from cqrs_claims.claims.domain.claim import Claim, ClaimStatus
from cqrs_claims.review.domain.decisions import REVIEW_ALLOWED, ReviewAction, arrive
from cqrs_claims.review.domain.flow import ReviewFlow
from cqrs_contracts.events import (
    ClaimPaid,
    ClaimPaymentFailed,
    ClaimSentForPayment,
    Event,
    PaymentBatchFlagged,
    PaymentBatchSent,
    PaymentConfirmed,
    PaymentFailed,
    PaymentItem,
)

LONDON = ZoneInfo("Europe/London")


class PaymentSchedule(BaseModel):
    """When batches go and how long the payment system has to answer."""

    batch_time: dt.time = dt.time(15, 0)
    timezone: str = "Europe/London"
    answer_within: dt.timedelta = dt.timedelta(hours=18)
    max_resends: int = Field(default=3, ge=0)

    def due_day(self, now: dt.datetime) -> dt.date | None:
        """The local date whose batch is due at ``now`` (None before the day's batch time)."""
        local = now.astimezone(ZoneInfo(self.timezone))
        return local.date() if local.time() >= self.batch_time else None


def batch_id(commissioner: str, day: dt.date) -> str:
    """One batch per commissioner per day: a repeat run finds the same id."""
    return f"{commissioner}-{day:%Y%m%d}"


class PaymentBatch(BaseModel):
    """A day's batch of one commissioner, its sends and the answers so far."""

    batch_id: str
    commissioner_organisation_id: str
    day: dt.date
    items: list[PaymentItem]
    status: Literal["Sent", "Answered", "Flagged"] = "Sent"
    attempts: int = 0
    last_sent_at: dt.datetime | None = None
    answered: list[str] = Field(default_factory=list)
    flagged_at: dt.datetime | None = None
    version: int = 0

    @property
    def claim_ids(self) -> list[str]:
        """The claims in the batch, once each, in order."""
        return list(dict.fromkeys(i.claim_id for i in self.items))

    @property
    def unanswered(self) -> list[str]:
        """Claims the payment system has not answered yet."""
        return [c for c in self.claim_ids if c not in self.answered]

    @property
    def total_pence(self) -> int:
        """What the batch pays in all."""
        return sum(i.amount_pence for i in self.items)


def items_of(claim: Claim, paycodes: dict[str, str]) -> list[PaymentItem]:
    """A claim's payment lines: one per service in it, under the service's paycode."""
    amounts: dict[str, int] = {}
    for line in claim.lines:
        amounts[line.quality_service_id] = amounts.get(line.quality_service_id, 0) + line.value_pence
    return [
        PaymentItem(
            claim_id=claim.claim_id,
            provider_organisation_id=claim.provider_organisation_id,
            quality_service_id=service,
            paycode=paycodes.get(service) or service,
            amount_pence=amount,
        )
        for service, amount in amounts.items()
        if amount > 0
    ]


def send(batch: PaymentBatch, now: dt.datetime) -> list[Event]:
    """The first send of a new batch."""
    return [_sent(batch, batch.items, now)]


def _sent(batch: PaymentBatch, items: list[PaymentItem], now: dt.datetime) -> PaymentBatchSent:
    return PaymentBatchSent(
        batch_id=batch.batch_id,
        commissioner_organisation_id=batch.commissioner_organisation_id,
        attempt=batch.attempts + 1,
        items=items,
        total_pence=sum(i.amount_pence for i in items),
        sent_at=now,
    )


def follow_up(batch: PaymentBatch, schedule: PaymentSchedule, now: dt.datetime) -> list[Event]:
    """Re-send what is unanswered 18 h after the last send, at most ``max_resends`` times; then flag."""
    if (
        batch.status != "Sent"
        or batch.last_sent_at is None
        or now < batch.last_sent_at + schedule.answer_within
    ):
        return []
    waiting = batch.unanswered
    if batch.attempts <= schedule.max_resends:
        return [_sent(batch, [i for i in batch.items if i.claim_id in waiting], now)]
    return [
        PaymentBatchFlagged(
            batch_id=batch.batch_id,
            commissioner_organisation_id=batch.commissioner_organisation_id,
            attempts=batch.attempts,
            claim_ids=waiting,
            flagged_at=now,
        )
    ]


def answered(batch: PaymentBatch, claim_id: str) -> PaymentBatch | None:
    """The batch with one more claim answered (None: not in it, or answered before)."""
    if claim_id not in batch.claim_ids or claim_id in batch.answered:
        return None
    done = [*batch.answered, claim_id]
    status = "Answered" if batch.status == "Sent" and len(done) == len(batch.claim_ids) else batch.status
    return batch.model_copy(update={"answered": done, "status": status})


def apply_batch(batch: PaymentBatch, event: Event) -> PaymentBatch:
    """Fold a batch event."""
    if isinstance(event, PaymentBatchSent):
        return batch.model_copy(update={"attempts": event.attempt, "last_sent_at": event.sent_at})
    if isinstance(event, PaymentBatchFlagged):
        return batch.model_copy(update={"status": "Flagged", "flagged_at": event.flagged_at})
    msg = f"a payment batch does not take {type(event).__name__}"
    raise ValueError(msg)


def _common(claim: Claim) -> dict[str, Any]:
    return {
        "claim_id": claim.claim_id,
        "provider_organisation_id": claim.provider_organisation_id,
        "commissioner_organisation_id": claim.commissioner_organisation_id,
    }


def send_for_payment(claim: Claim, batch: str, now: dt.datetime) -> list[Event]:
    """An Approved claim goes in the batch (a claim already in this batch changes nothing)."""
    if claim.status is not ClaimStatus.APPROVED:
        return []
    return [ClaimSentForPayment(**_common(claim), batch_id=batch, total_pence=claim.total_pence, sent_at=now)]


def confirmed(claim: Claim, answer: PaymentConfirmed) -> list[Event]:
    """Paid, if the claim went in that batch; a repeat, or an answer about another batch, is ignored.

    A confirmation that arrives after a failure of the same batch still marks the claim Paid: the
    money went out.
    """
    in_batch = claim.status is ClaimStatus.SENT_FOR_PAYMENT and claim.payment.batch_id == answer.batch_id
    failed_back = answer.batch_id in claim.payment.failed_batches and bool(
        REVIEW_ALLOWED[claim.status] & {ReviewAction.APPROVE}
    )
    if not (in_batch or failed_back):
        return []
    return [
        ClaimPaid(
            **_common(claim),
            batch_id=answer.batch_id,
            total_pence=claim.total_pence,
            payment_reference=answer.payment_reference,
            paid_at=answer.paid_at,
        )
    ]


def failed(claim: Claim, answer: PaymentFailed, flow: ReviewFlow) -> list[Event]:
    """Back to the commissioner's last step with the reason (Paid is final; repeats are ignored)."""
    if claim.status is not ClaimStatus.SENT_FOR_PAYMENT or claim.payment.batch_id != answer.batch_id:
        return []
    review = claim.review
    route = [s for s in (flow.step(n) for n in review.steps) if s is not None] if review else []
    route = route or flow.route(claim.total_pence)
    band = review.value_band if review else flow.bands.band(claim.total_pence)
    reason = f"Payment failed: {answer.reason}"
    return [
        ClaimPaymentFailed(
            **_common(claim), batch_id=answer.batch_id, reason=answer.reason, failed_at=answer.failed_at
        ),
        arrive(claim, route, len(route), band, answer.failed_at, reason=reason),
    ]
