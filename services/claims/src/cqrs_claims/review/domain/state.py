"""What a claim remembers of its review and payment (kept on the claim, folded from its events)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class SignOff(BaseModel):
    """One person's sign-off of one step in this round of review."""

    step: str
    user_id: str
    at: dt.datetime


class ReviewState(BaseModel):
    """Where the claim is in its commissioner's flow (this round: a return starts a new one)."""

    steps: list[str]
    step: str
    step_number: int
    role: str
    sign_offs_needed: int
    total_pence: int
    value_band: str
    awaiting_since: dt.datetime
    reason: str = ""
    sign_offs: list[SignOff] = Field(default_factory=list)
    decided_by: str | None = None
    decision_reason: str | None = None

    def signed_at_step(self) -> list[str]:
        """Who has signed off the step the claim waits at."""
        return [s.user_id for s in self.sign_offs if s.step == self.step]

    def signed_elsewhere(self) -> set[str]:
        """Who signed off another step of this claim in this round."""
        return {s.user_id for s in self.sign_offs if s.step != self.step}


class PaymentState(BaseModel):
    """The claim's payment: its batch, and the payment system's answer."""

    batch_id: str | None = None
    payment_reference: str | None = None
    paid_at: dt.datetime | None = None
    failure_reason: str | None = None
    failed_batches: list[str] = Field(default_factory=list)
