"""Events of a CQRS Local claim under the commissioner's review and on its way to payment.

Every one is about one claim (topic ``cqrs.claims.claim``, keyed by claim), so they sit in the
claim's history beside the building and submission events. A claim arrives at each step of its
commissioner's review flow with ``ClaimAwaitingReview`` (who must act, and how many sign-offs),
each sign-off is ``ClaimApprovedAtStep``, the last step's completion is ``ClaimApproved``; a
refusal is ``ClaimRejected`` and a return to the provider ``ClaimReturned``.
"""

from typing import ClassVar, Literal

from pydantic import Field

from cqrs_contracts import topics
from cqrs_contracts.events.base import Event
from cqrs_contracts.values import Id, OdsCode, Pence, Text, UtcDatetime

ValueBand = Literal["Low", "Medium", "High"]
"""A claim's value band per practice per claim (bounds are the commissioner's configuration)."""


class _ClaimEvent(Event):
    """Shared routing of every event about one claim, keyed by claim."""

    service: ClassVar[str] = "claims"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.CLAIMS_CLAIM

    claim_id: Id
    provider_organisation_id: OdsCode
    commissioner_organisation_id: OdsCode

    def aggregate_id(self) -> str:
        """Key by claim, so one claim's history stays in order."""
        return self.claim_id


class ClaimAwaitingReview(_ClaimEvent):
    """The claim waits at a step of the review flow for people holding ``role`` at the commissioner.

    ``status`` is what users see (``Pending Tier 2 Review``); ``reason`` says why it came back to a
    step it passed (a payment the payment system refused), empty on the way forward.
    """

    step: Text
    step_number: int = Field(ge=1, strict=True)
    steps: list[Text] = Field(min_length=1)
    role: Text
    status: Text
    sign_offs_needed: int = Field(ge=1, strict=True)
    total_pence: Pence
    value_band: ValueBand
    reason: str = Field(default="", max_length=1000)
    awaiting_since: UtcDatetime


class ClaimApprovedAtStep(_ClaimEvent):
    """One sign-off of the step the claim waits at (the step is done when ``sign_offs_given`` reaches
    ``sign_offs_needed``)."""

    step: Text
    step_number: int = Field(ge=1, strict=True)
    sign_offs_given: int = Field(ge=1, strict=True)
    sign_offs_needed: int = Field(ge=1, strict=True)
    approved_by: Id
    approved_at: UtcDatetime


class ClaimApproved(_ClaimEvent):
    """Every step of the flow signed the claim off: it is Approved and waits for the payment batch."""

    total_pence: Pence
    approved_by: list[Id] = Field(min_length=1)
    approved_at: UtcDatetime


class ClaimRejected(_ClaimEvent):
    """A reviewer rejected the claim at a step, with the reason; it is final."""

    step: Text
    reason: Text
    rejected_by: Id
    rejected_at: UtcDatetime


class ClaimSentForPayment(_ClaimEvent):
    """The claim went to the payment system in a payment batch: it is Sent for Payment."""

    batch_id: Id
    total_pence: Pence
    sent_at: UtcDatetime


class ClaimPaid(_ClaimEvent):
    """The payment system confirmed the claim's payment: it is Paid."""

    batch_id: Id
    total_pence: Pence
    payment_reference: Text
    paid_at: UtcDatetime


class ClaimPaymentFailed(_ClaimEvent):
    """The payment system could not pay the claim: it goes back to the commissioner with the reason."""

    batch_id: Id
    reason: Text
    failed_at: UtcDatetime
