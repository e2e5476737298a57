"""Declaration use cases: open or recalculate from achievement, declare, approve, finance approve."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel

from cqrs_claims.achievement.domain.rules import PaymentRules
from cqrs_claims.achievement.service import Achievement, ProviderAchievement
from cqrs_claims.declarations import access
from cqrs_claims.declarations.domain.machine import (
    Approve,
    Command,
    Declare,
    FinanceApprove,
    NotAllowedNow,
    Recalculate,
    decide,
    open_declaration,
)
from cqrs_claims.declarations.domain.model import Declaration, Figures, Status, declaration_id
from cqrs_contracts.events.claims import RecalculationReason
from cqrs_kit import logs
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.auth import Principal
from cqrs_kit.errors import DomainError, Forbidden, NotFound, VersionConflict
from cqrs_kit.runtime import Runtime

log = logs.get_logger(__name__)
COLLECTION = "declarations"
_ATTEMPTS = 5


class Outcome(BaseModel):
    """What happened to one declaration of a bulk approval."""

    declaration_id: str
    result: Literal["approved", "refused"]
    status: str | None = None
    reason: str | None = None


def _figures(found: ProviderAchievement) -> Figures:
    return Figures(
        achievement_date=found.achievement_date,
        practice_ods_codes=[p.practice_ods_code for p in found.practices],
        extraction_ids=sorted(found.extraction_ids),
        points_hundredths=found.points_hundredths,
        achievement_pence=found.pence,
    )


class Declarations:
    """Loads, decides and saves declarations; the Directory says who may act."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.aggregates = Aggregates(runtime, COLLECTION, Declaration, "declaration_id")
        self.achievement = Achievement.of(runtime)

    # --- from events -----------------------------------------------------------------------------

    async def refresh(
        self, rules: PaymentRules, provider: str, reason: RecalculationReason, *, correlation_id: str | None
    ) -> None:
        """Open the provider's declaration, or recalculate it when its inputs changed; retried on a race."""
        for attempt in range(_ATTEMPTS):
            try:
                await self._refresh(rules, provider, reason, correlation_id)
                return
            except VersionConflict:
                if attempt == _ATTEMPTS - 1:
                    raise
                log.info(
                    "declaration saved by someone else meanwhile; recalculating again", provider=provider
                )

    async def _refresh(
        self, rules: PaymentRules, provider: str, reason: RecalculationReason, correlation_id: str | None
    ) -> None:
        found = await self.achievement.provider(rules, provider)
        if found is None:
            return
        figures = _figures(found)
        key = declaration_id(rules.quality_service_id, provider)
        now = dt.datetime.now(dt.UTC)
        state = await self.aggregates.get(key)
        if state is None:
            new = Declaration(
                declaration_id=key,
                quality_service_id=rules.quality_service_id,
                financial_year=rules.financial_year,
                payment_type=rules.payment_type,
                provider_organisation_id=provider,
                provider_kind=rules.declaration_level,
                commissioner_organisation_id=rules.commissioner_organisation_id,
                declaration_required=rules.declaration_required,
                approval_required=rules.approval_required,
                figures=figures,
            )
            state, events = open_declaration(new, now)
        elif state.status is Status.APPROVED or state.figures == figures:
            return  # approved declarations are final; the same inputs change nothing
        else:
            state, events = decide(state, Recalculate(figures, reason), now)
        await self.aggregates.save(state, events, correlation_id=correlation_id, actor=None)

    # --- from people -----------------------------------------------------------------------------

    async def get(self, principal: Principal, key: str) -> Declaration:
        """One declaration the caller may see."""
        state = await self.aggregates.get(key)
        if state is None or not await access.may_see(
            self.runtime.directory, principal, state.provider_organisation_id
        ):
            raise NotFound(f"no declaration {key} that you may see", field="declaration_id")
        return state

    async def act(
        self, principal: Principal, key: str, command: Command, correlation_id: str | None
    ) -> Declaration:
        """Declare, approve or finance approve one declaration, if the caller may and its status allows."""
        state = await self.get(principal, key)
        refused = await access.refusal(self.runtime.directory, principal, state, command)
        if refused is not None:
            raise Forbidden(refused)
        try:
            state, events = decide(state, command, dt.datetime.now(dt.UTC))
        except NotAllowedNow as exc:
            raise StatusConflict(str(exc), field="status") from exc
        return await self.aggregates.save(
            state, events, correlation_id=correlation_id, actor=principal.user_id
        )

    async def approve_many(
        self, principal: Principal, keys: Sequence[str], correlation_id: str | None
    ) -> list[Outcome]:
        """Approve each declaration at its next step (commissioner or finance); a result for each."""
        outcomes = []
        for key in dict.fromkeys(keys):
            try:
                state = await self.get(principal, key)
                command: Command = (
                    FinanceApprove(principal.user_id)
                    if state.status is Status.AWAITING_FINANCE
                    else Approve(principal.user_id)
                )
                saved = await self.act(principal, key, command, correlation_id)
            except DomainError as exc:
                outcomes.append(Outcome(declaration_id=key, result="refused", reason=exc.detail))
            else:
                outcomes.append(Outcome(declaration_id=key, result="approved", status=saved.status.value))
        return outcomes

    async def search(
        self,
        principal: Principal,
        *,
        status: Status | None,
        quality_service_id: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Declaration], int]:
        """A page of the declarations the caller may see, filtered, oldest first; and the total."""
        visible = await access.visible_providers(self.runtime.directory, principal)
        query: dict[str, Any] = {"provider_organisation_id": {"$in": sorted(visible)}}
        if status is not None:
            query["status"] = status.value
        if quality_service_id is not None:
            query["quality_service_id"] = quality_service_id
        collection = self.aggregates.collection
        total = await collection.count_documents(query)
        cursor = collection.find(query, {"_id": 1}).sort("_id", 1).skip(offset).limit(limit)
        keys = [doc["_id"] async for doc in cursor]
        found = {d.declaration_id: d for d in await self.aggregates.find({"_id": {"$in": keys}})}
        return [found[k] for k in keys if k in found], total


class StatusConflict(DomainError):
    """The declaration's status does not allow this now (someone acted first, or it moved on)."""

    status = 409
    title = "Not allowed in this status"


__all__ = ["Approve", "Declarations", "Declare", "FinanceApprove", "Outcome", "StatusConflict"]
