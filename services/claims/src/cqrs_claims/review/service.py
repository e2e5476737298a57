"""Review use cases: a clean claim enters its commissioner's flow; reviewers approve, reject or
return it at the step they hold the role for; queues by step; the flows themselves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from cqrs_claims.claims import authz
from cqrs_claims.claims.domain.claim import Claim, fold
from cqrs_claims.claims.service import Claims
from cqrs_claims.review.domain import decisions
from cqrs_claims.review.domain.flow import STEP_STATUSES, ReviewFlow
from cqrs_claims.review.store import FlowStore
from cqrs_contracts.events import ClaimReadyForTier1Review, Event
from cqrs_kit import clock
from cqrs_kit.auth import Principal
from cqrs_kit.errors import Forbidden

Decision = Literal["approve", "reject", "return"]
#: Who may read or change a commissioner's review flow.
FLOW_KEEPERS = ("Commissioning Management", "Local Administrator")


@dataclass(frozen=True)
class QueueFilter:
    """What a review queue is narrowed to (all optional but the step)."""

    step: str
    quality_service_id: str | None = None
    provider_organisation_id: str | None = None
    value_band: str | None = None
    min_age_days: int | None = None
    max_age_days: int | None = None


@dataclass
class Reviews:
    """The review part of the claims service, wired once per process."""

    claims: Claims
    flows: FlowStore

    async def on_ready(self, claim: Claim, events: list[Event]) -> list[Event]:
        """When system review finds every file clean, the claim enters the flow's first step."""
        if not any(isinstance(e, ClaimReadyForTier1Review) for e in events):
            return []
        ready = fold(claim, events)
        return decisions.start(ready, await self.flows.flow(ready.commissioner_organisation_id), clock.now())

    async def reviewable(self, principal: Principal, claim_id: str) -> Claim:
        """A claim the caller may act on now: they hold its current step's role for it."""
        claim = await self.claims.visible(principal, claim_id)
        if claim.review is None or claim.status not in STEP_STATUSES:
            return claim  # the decision itself says what the status allows
        directory = self.claims.runtime.directory
        role = claim.review.role
        if not (
            await directory.may(principal, role, claim.commissioner_organisation_id)
            and await directory.may(principal, role, claim.provider_organisation_id)
        ):
            msg = f"{claim.review.step} needs the role {role} for this claim"
            raise Forbidden(msg)
        return claim

    async def decide(
        self, principal: Principal, claim_id: str, decision: Decision, reason: str | None, correlation_id: str
    ) -> Claim:
        """Approve, reject (with a reason) or return (with a reason) at the claim's current step."""
        claim = await self.reviewable(principal, claim_id)
        flow = await self.flows.flow(claim.commissioner_organisation_id)
        now, actor = clock.now(), principal.user_id
        if decision == "approve":
            events = decisions.approve(claim, flow, actor, now)
        elif decision == "reject":
            events = decisions.reject(claim, actor, reason or "", now)
        else:
            events = decisions.return_to_provider(claim, flow, actor, reason or "", now)
        return await self.claims.change(principal, claim, events, correlation_id)

    async def queue(
        self, principal: Principal, commissioner: str, wanted: QueueFilter, *, page: int, size: int
    ) -> tuple[int, list[Claim]]:
        """Claims waiting at one step for this commissioner, oldest first, within the caller's scope."""
        flow, _ = await self.flow(principal, commissioner, read_only=True)
        step = flow.step(wanted.step)
        roles = (step.role,) if step else authz.COMMISSIONER_VIEWERS
        directory = self.claims.runtime.directory
        await directory.require(principal, roles, commissioner, field="commissioner_organisation_id")
        scope = sorted(await directory.organisations_where(principal, roles))
        query: dict[str, Any] = {
            "commissioner_organisation_id": commissioner,
            "review.step": wanted.step,
            "status": {"$in": sorted(s.value for s in STEP_STATUSES)},
            "provider_organisation_id": {"$in": scope},
        }
        if wanted.provider_organisation_id is not None:
            query["provider_organisation_id"] = {
                "$in": [p for p in scope if p == wanted.provider_organisation_id]
            }
        if wanted.quality_service_id is not None:
            query["lines.quality_service_id"] = wanted.quality_service_id
        if wanted.value_band is not None:
            query["review.value_band"] = wanted.value_band
        age: dict[str, dt.datetime] = {}
        now = clock.now()
        if wanted.min_age_days is not None:
            age["$lte"] = now - dt.timedelta(days=wanted.min_age_days)
        if wanted.max_age_days is not None:
            age["$gte"] = now - dt.timedelta(days=wanted.max_age_days)
        if age:
            query["review.awaiting_since"] = age
        collection = self.claims.store.aggregates.collection
        total = await collection.count_documents(query)
        cursor = collection.find(query).sort("review.awaiting_since", 1).skip((page - 1) * size).limit(size)
        return total, [Claim.model_validate({**d, "claim_id": d["_id"]}) async for d in cursor]

    async def flow(
        self, principal: Principal, commissioner: str, *, read_only: bool = False
    ) -> tuple[ReviewFlow, int]:
        """A commissioner's flow and its version, for its own users (any commissioner role reads it)."""
        roles = authz.COMMISSIONER_VIEWERS if read_only else FLOW_KEEPERS
        await self.claims.runtime.directory.require(
            principal, roles, commissioner, field="commissioner_organisation_id"
        )
        return await self.flows.current(commissioner)

    async def set_flow(
        self, principal: Principal, commissioner: str, flow: ReviewFlow, *, made_from: int
    ) -> tuple[ReviewFlow, int]:
        """Replace a commissioner's flow (Commissioning Management or Local Administrator there),
        made from the version ``made_from`` (412 when someone saved since)."""
        await self.claims.runtime.directory.require(
            principal, FLOW_KEEPERS, commissioner, field="commissioner_organisation_id"
        )
        return await self.flows.save(commissioner, flow, principal.user_id, made_from=made_from)
