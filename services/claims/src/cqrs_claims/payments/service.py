"""Payment use cases: the day's batches (on the batch clock's tick), re-sends and flags, and the
payment system's answers. Every step is safe to repeat: a batch is one per commissioner per day,
a claim already in it is found again, and an answer already applied changes nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from cqrs_claims.claims.domain.claim import Claim, ClaimStatus, fold
from cqrs_claims.claims.service import Claims
from cqrs_claims.payments import domain
from cqrs_claims.payments.domain import PaymentBatch, PaymentSchedule
from cqrs_claims.payments.store import PaymentStore
from cqrs_claims.review.domain.flow import ReviewFlow
from cqrs_claims.review.store import FlowStore
from cqrs_contracts.events import Event, PaymentConfirmed, PaymentFailed
from cqrs_kit.errors import VersionConflict
from cqrs_kit.logs import get_logger

log = get_logger(__name__)
SYSTEM = "payments"
_RETRIES = 10


@dataclass
class Payments:
    """The payments part of the claims service, wired once per process."""

    claims: Claims
    store: PaymentStore
    flows: FlowStore
    schedule: PaymentSchedule

    async def tick(self, now: dt.datetime) -> None:
        """What the batch clock does each time it looks: send the day's batches once due, then
        re-send or flag what the payment system has not answered."""
        day = self.schedule.due_day(now)
        if day is not None and await self.store.take_run(day, now):
            await self.send_batches(day, now)
            await self.store.finish_run(day)
        for batch in await self.store.aggregates.find({"status": "Sent"}):
            events = domain.follow_up(batch, self.schedule, now)
            if events:
                await self._save_batch(batch, events)

    async def send_batches(self, day: dt.date, now: dt.datetime) -> list[PaymentBatch]:
        """One batch per commissioner with Approved claims (or claims marked for today's batch)."""
        claims = self.claims.store.aggregates
        waiting = await claims.find({"status": ClaimStatus.APPROVED.value})
        marked = await claims.find({"status": ClaimStatus.SENT_FOR_PAYMENT.value})
        commissioners = sorted(
            {c.commissioner_organisation_id for c in waiting}
            | {c.commissioner_organisation_id for c in marked if c.payment.batch_id == self._id(c, day)}
        )
        sent = []
        for commissioner in commissioners:
            batch = await self._send(commissioner, day, now)
            if batch is not None:
                sent.append(batch)
        return sent

    @staticmethod
    def _id(claim: Claim, day: dt.date) -> str:
        return domain.batch_id(claim.commissioner_organisation_id, day)

    async def _send(self, commissioner: str, day: dt.date, now: dt.datetime) -> PaymentBatch | None:
        batch_id = domain.batch_id(commissioner, day)
        if await self.store.aggregates.get(batch_id) is not None:
            return None
        claims = self.claims.store.aggregates
        query = {"commissioner_organisation_id": commissioner}
        in_batch: list[Claim] = []
        for claim in await claims.find({**query, "status": ClaimStatus.APPROVED.value}):
            marked = await self._change_claim(
                claim.claim_id, lambda c: domain.send_for_payment(c, batch_id, now)
            )
            if marked is not None and marked.payment.batch_id == batch_id:
                in_batch.append(marked)
        known = {c.claim_id for c in in_batch}
        for claim in await claims.find({**query, "status": ClaimStatus.SENT_FOR_PAYMENT.value}):
            if claim.payment.batch_id == batch_id and claim.claim_id not in known:
                in_batch.append(claim)  # marked by a run that stopped before saving the batch
        services = sorted({line.quality_service_id for c in in_batch for line in c.lines})
        paycodes = await self.store.paycodes(services)
        items = [
            item for c in sorted(in_batch, key=lambda c: c.claim_id) for item in domain.items_of(c, paycodes)
        ]
        if not items:
            return None
        batch = PaymentBatch(
            batch_id=batch_id, commissioner_organisation_id=commissioner, day=day, items=items
        )
        try:
            saved = await self._save_batch(batch, domain.send(batch, now))
        except VersionConflict:
            return None  # another process sent it
        log.info("payment batch sent", batch_id=batch_id, claims=len(in_batch), total_pence=batch.total_pence)
        return saved

    async def _save_batch(self, batch: PaymentBatch, events: list[Event]) -> PaymentBatch:
        state = batch
        for event in events:
            state = domain.apply_batch(state, event)
        return await self.store.aggregates.save(state, events, correlation_id=None, actor=SYSTEM)

    async def _change_claim(self, claim_id: str, decide: Callable[[Claim], list[Event]]) -> Claim | None:
        """Load, decide, save; again when someone else saved in between."""
        for _ in range(_RETRIES):
            claim = await self.claims.store.get(claim_id)
            if claim is None:
                return None
            events = decide(claim)
            if not events:
                return claim
            try:
                return await self.claims.store.aggregates.save(
                    fold(claim, events), events, correlation_id=None, actor=SYSTEM
                )
            except VersionConflict:
                continue
        msg = f"claim {claim_id} kept changing"
        raise VersionConflict(msg)

    async def answered(self, answer: PaymentConfirmed | PaymentFailed) -> None:
        """The payment system answered for one claim: Paid, or back to the commissioner."""
        if isinstance(answer, PaymentConfirmed):
            decide: Callable[[Claim], list[Event]] = lambda c: domain.confirmed(c, answer)  # noqa: E731
        else:
            flow = await self._flow_of(answer.claim_id)
            decide = lambda c: domain.failed(c, answer, flow)  # noqa: E731
        await self._change_claim(answer.claim_id, decide)
        await self._mark_answered(answer.batch_id, answer.claim_id)

    async def _flow_of(self, claim_id: str) -> ReviewFlow:
        claim = await self.claims.store.get(claim_id)
        return await self.flows.flow(claim.commissioner_organisation_id if claim else "")

    async def _mark_answered(self, batch_id: str, claim_id: str) -> None:
        for _ in range(_RETRIES):
            batch = await self.store.aggregates.get(batch_id)
            changed = None if batch is None else domain.answered(batch, claim_id)
            if changed is None:
                return
            try:
                await self.store.aggregates.save(changed, [], correlation_id=None, actor=SYSTEM)
            except VersionConflict:
                continue
            return


async def batch_clock(payments: Payments, every: float, now: Callable[[], dt.datetime]) -> None:
    """Look every ``every`` seconds whether a batch is due (runs for the life of the process)."""
    while True:
        try:
            await payments.tick(now())
        except Exception:  # the clock must outlive a failed look (the next one retries)
            log.exception("payment batch clock failed; trying again")
        await asyncio.sleep(every)
