"""Payment batches between the claims service and the payment system (PCSE).

Claims publishes ``PaymentBatchSent`` (topic ``cqrs.claims.payment``, keyed by batch) once a day per
commissioner, and again (``attempt`` 2 to 4) when the payment system has not answered within 18
hours; after the last re-send ``PaymentBatchFlagged`` asks the commissioner to follow it up. The
payment system answers per claim on its own topic ``cqrs.pcse.payment`` with ``PaymentConfirmed`` or
``PaymentFailed``; claims reads those and only those from it.
"""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from cqrs_contracts import topics
from cqrs_contracts.events.base import Event
from cqrs_contracts.values import Id, OdsCode, Pence, Text, UtcDatetime


class PaymentItem(BaseModel):
    """What the payment system pays: one provider, under one paycode, for one claim."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    claim_id: Id
    provider_organisation_id: OdsCode
    quality_service_id: Id
    paycode: Text
    amount_pence: Pence


class _BatchEvent(Event):
    """Shared routing of every event about one payment batch, keyed by batch."""

    service: ClassVar[str] = "claims"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.CLAIMS_PAYMENT

    batch_id: Id
    commissioner_organisation_id: OdsCode

    def aggregate_id(self) -> str:
        """Key by batch, so a batch's sends and flag stay in order."""
        return self.batch_id


class PaymentBatchSent(_BatchEvent):
    """A commissioner's approved claims, for the payment system to pay (``attempt`` 1 is the daily
    send; 2 to 4 re-send the claims it has not answered yet)."""

    attempt: int = Field(ge=1, strict=True)
    items: list[PaymentItem] = Field(min_length=1)
    total_pence: Pence
    sent_at: UtcDatetime


class PaymentBatchFlagged(_BatchEvent):
    """The payment system never answered a batch, re-sent the most times allowed: people must act."""

    attempts: int = Field(ge=1, strict=True)
    claim_ids: list[Id] = Field(min_length=1)
    flagged_at: UtcDatetime


class _PaymentAnswer(Event):
    """Shared routing of the payment system's answers, keyed by claim."""

    service: ClassVar[str] = "pcse"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.PCSE_PAYMENT

    batch_id: Id
    claim_id: Id

    def aggregate_id(self) -> str:
        """Key by claim, so one claim's answers stay in order."""
        return self.claim_id


class PaymentConfirmed(_PaymentAnswer):
    """The payment system paid a claim of a batch."""

    amount_pence: Pence
    payment_reference: Text
    paid_at: UtcDatetime


class PaymentFailed(_PaymentAnswer):
    """The payment system could not pay a claim of a batch, and says why."""

    reason: Text
    failed_at: UtcDatetime
