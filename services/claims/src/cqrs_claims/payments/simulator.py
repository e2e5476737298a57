"""A stand-in for the payment system (PCSE) in development and demos: it answers every batch sent
with ``PaymentConfirmed`` for each claim in it, so the demo reaches Paid. Turned on by
``CQRS_CLAIMS_PAYMENT_SIMULATOR=true`` (``make run`` sets it); never in production.

A batch's answers are saved once, under an id derived from the send's event id, so a repeated
delivery answers nothing twice (the claims side ignores repeated answers as well).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from pydantic import BaseModel

from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events import Event, PaymentBatchSent, PaymentConfirmed
from cqrs_kit import clock
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.errors import VersionConflict
from cqrs_kit.idempotency import derived_id
from cqrs_kit.runtime import Runtime

ANSWERS = "pcse_simulator_answers"


class SimulatedAnswer(BaseModel):
    """The simulator's answer to one send of a batch."""

    answer_id: str
    batch_id: str
    claim_ids: list[str]
    version: int = 0


def answers(event: PaymentBatchSent, now: dt.datetime) -> list[Event]:
    """Pay every claim in the batch, with a reference derived from batch and claim."""
    by_claim: dict[str, int] = {}
    for item in event.items:
        by_claim[item.claim_id] = by_claim.get(item.claim_id, 0) + item.amount_pence
    return [
        PaymentConfirmed(
            batch_id=event.batch_id,
            claim_id=claim_id,
            amount_pence=amount,
            payment_reference="SIM-"
            + hashlib.sha256(f"{event.batch_id}:{claim_id}".encode()).hexdigest()[:10],
            paid_at=now,
        )
        for claim_id, amount in by_claim.items()
    ]


def subscribe(runtime: Runtime) -> None:
    """The simulator's one subscription."""
    store: Aggregates[SimulatedAnswer] = Aggregates(runtime, ANSWERS, SimulatedAnswer, "answer_id")

    @runtime.consumer.on(PaymentBatchSent)
    async def batch_sent(event: PaymentBatchSent, envelope: Envelope) -> None:
        """Answer the batch (once per send)."""
        events = answers(event, clock.now())
        state = SimulatedAnswer(
            answer_id=derived_id(envelope.id, "pcse-simulator"),
            batch_id=event.batch_id,
            claim_ids=[e.claim_id for e in events if isinstance(e, PaymentConfirmed)],
        )
        try:
            await store.save(state, events, correlation_id=envelope.correlation_id, actor="pcse-simulator")
        except VersionConflict:
            return  # answered before
