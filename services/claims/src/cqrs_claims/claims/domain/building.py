"""Decisions while a provider builds a claim: +New Claim, Add All, Add+, Remove All, details, Delete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from cqrs_claims.catalogue.domain import ClaimableService
from cqrs_claims.claims.domain.claim import Action, Claim, ClaimRuleBroken, require
from cqrs_claims.claims.domain.pane import PaneService, window_states
from cqrs_claims.claims.domain.windows import new_claim_availability
from cqrs_contracts.events import (
    AddedComponent,
    Answer,
    ClaimComponentsAdded,
    ClaimComponentsRemoved,
    ClaimDeleted,
    ClaimDetailsEntered,
    ClaimDrafted,
    ClaimServicesSelected,
    EnteredLine,
    Event,
)
from cqrs_contracts.values import Count, FinancialYear, Id, OdsCode


class NoNewClaimNow(ClaimRuleBroken):
    """+New Claim is not available; ``reason`` is one of the guide's three."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class NewClaim(BaseModel):
    """+New Claim: a multi-service claim with a commissioner, or a single-service claim of one service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider_organisation_id: OdsCode
    commissioner_organisation_id: OdsCode | None = None
    quality_service_id: Id | None = None
    financial_year: FinancialYear | None = None


def _candidates(command: NewClaim, services: Sequence[ClaimableService]) -> list[ClaimableService]:
    mine = [s for s in services if s.provider_organisation_id == command.provider_organisation_id]
    if command.financial_year:
        mine = [s for s in mine if s.service.financial_year == command.financial_year]
    if command.quality_service_id is not None:
        found = [s for s in mine if s.quality_service_id == command.quality_service_id]
        if not found:
            msg = "this service is not approved for the provider (no accepted offer)"
            raise ClaimRuleBroken(msg, field="quality_service_id")
        if found[0].service.claim_mode != "single":
            msg = "this service is claimed in multi-service claims: start one without quality_service_id"
            raise ClaimRuleBroken(msg, field="quality_service_id")
        return found
    if command.commissioner_organisation_id is None:
        commissioners = {
            s.service.commissioner_organisation_id for s in mine if s.service.claim_mode == "multi"
        }
        if len(commissioners) != 1:
            msg = "say which commissioner this multi-service claim is for"
            raise ClaimRuleBroken(msg, field="commissioner_organisation_id")
        (commissioner,) = commissioners
    else:
        commissioner = command.commissioner_organisation_id
    return [
        s
        for s in mine
        if s.service.commissioner_organisation_id == commissioner and s.service.claim_mode == "multi"
    ]


def draft(
    claim_id: str,
    command: NewClaim,
    services: Sequence[ClaimableService],
    taken: set[str],
    today: dt.date,
    *,
    actor: str,
    now: dt.datetime,
) -> list[Event]:
    """+New Claim: a Draft exists if a window is open with something left to claim (or Add+)."""
    candidates = _candidates(command, services)
    availability = new_claim_availability(state for _, state in window_states(candidates, taken, today))
    if not availability.available:
        assert availability.reason is not None
        assert availability.message is not None
        raise NoNewClaimNow(availability.message, availability.reason.value)
    years = sorted({s.service.financial_year for s in candidates})
    if len(years) > 1:
        msg = f"services of several financial years can be claimed ({', '.join(years)}): choose one"
        raise ClaimRuleBroken(msg, field="financial_year")
    first = candidates[0].service
    return [
        ClaimDrafted(
            claim_id=claim_id,
            provider_organisation_id=command.provider_organisation_id,
            commissioner_organisation_id=first.commissioner_organisation_id,
            financial_year=years[0],
            claim_mode="single" if command.quality_service_id else "multi",
            quality_service_id=command.quality_service_id,
            drafted_by=actor,
            drafted_at=now,
        )
    ]


def _pane_ids(pane: Sequence[PaneService]) -> list[str]:
    return [p.quality_service_id for p in pane]


def select_services(
    claim: Claim, pane: Sequence[PaneService], service_id: str | None, actor: str, now: dt.datetime
) -> list[Event]:
    """Add All (services into the components pane), or one service when an id is given."""
    require(claim.status, Action.SELECT_SERVICES)
    wanted = _pane_ids(pane) if service_id is None else [service_id]
    if service_id is not None and service_id not in _pane_ids(pane):
        raise ClaimRuleBroken("this service cannot be claimed in this claim now", field="quality_service_id")
    new = [s for s in wanted if s not in claim.selected_service_ids]
    if not new:
        return []
    return [
        ClaimServicesSelected(
            claim_id=claim.claim_id, quality_service_ids=new, selected_by=actor, selected_at=now
        )
    ]


def _added(p: PaneService, component_id: str) -> AddedComponent:
    component = p.claimable.service.component(component_id)
    assert component is not None
    return AddedComponent(
        quality_service_id=p.quality_service_id,
        service_version=p.claimable.service.service_version,
        component_id=component.component_id,
        kind=component.kind,
        unit_price_pence=component.unit_price_pence,
        amount_pence=component.amount_pence,
        window_id=p.window_id,
    )


def add_components(
    claim: Claim,
    pane: Sequence[PaneService],
    one: tuple[str, str] | None,
    actor: str,
    now: dt.datetime,
) -> list[Event]:
    """Add All (every component of the selected services that have windows), or Add+ for one
    ``(service id, component id)``: services without windows are claimed component by component."""
    require(claim.status, Action.ADD_COMPONENTS)
    in_claim = {line.component_id for line in claim.lines}
    selected = [p for p in pane if p.quality_service_id in claim.selected_service_ids]
    if one is None:
        added = [
            _added(p, c.component_id)
            for p in selected
            if not p.state.add_individually
            for c in p.claimable.service.components
            if c.component_id not in in_claim
        ]
        if not added:
            msg = "nothing to add: Add All services first (services without claim windows use Add+)"
            raise ClaimRuleBroken(msg, field="components")
    else:
        service_id, component_id = one
        found = next((p for p in selected if p.quality_service_id == service_id), None)
        if found is None:
            raise ClaimRuleBroken("add the service to the components pane first", field="quality_service_id")
        if found.claimable.service.component(component_id) is None:
            raise ClaimRuleBroken("the service has no such component", field="component_id")
        if component_id in in_claim:
            raise ClaimRuleBroken("the component is already in the claim", field="component_id")
        added = [_added(found, component_id)]
    return [ClaimComponentsAdded(claim_id=claim.claim_id, components=added, added_by=actor, added_at=now)]


def remove_components(claim: Claim, component_id: str | None, actor: str, now: dt.datetime) -> list[Event]:
    """Remove All components from the claim, or one when an id is given."""
    require(claim.status, Action.REMOVE_COMPONENTS)
    ids = [line.component_id for line in claim.lines]
    if component_id is not None:
        if component_id not in ids:
            raise ClaimRuleBroken("the component is not in the claim", field="component_id")
        ids = [component_id]
    if not ids:
        return []
    return [
        ClaimComponentsRemoved(claim_id=claim.claim_id, component_ids=ids, removed_by=actor, removed_at=now)
    ]


class LineEntry(BaseModel):
    """What the provider typed on one line: units (whole, 0 or more) and answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    component_id: Id
    units: Count | None = None
    answers: list[Answer] = Field(default_factory=list)


def enter_details(
    claim: Claim,
    entries: Sequence[LineEntry],
    services: dict[tuple[str, int], ClaimableService],
    actor: str,
    now: dt.datetime,
) -> list[Event]:
    """Save units and supplementary answers on the claim pane (checked at submit as a whole)."""
    require(claim.status, Action.ENTER_DETAILS)
    lines: list[EnteredLine] = []
    for index, entry in enumerate(entries):
        line = claim.line(entry.component_id)
        if line is None:
            raise ClaimRuleBroken("the component is not in the claim", field=f"lines.{index}.component_id")
        if line.kind == "retainer" and entry.units:
            raise ClaimRuleBroken(
                "a retainer is paid its fixed amount and takes no units", field=f"lines.{index}.units"
            )
        service = services.get((line.quality_service_id, line.service_version))
        component = service.service.component(line.component_id) if service else None
        known = {q.question_id: q.kind for q in component.questions} if component else {}
        for answer in entry.answers:
            kind = known.get(answer.question_id)
            if kind is None:
                raise ClaimRuleBroken("the component has no such question", field=f"lines.{index}.answers")
            if (kind == "yes_no") != (answer.yes is not None) or (kind == "text") != (
                answer.text is not None
            ):
                msg = "answer a Yes/No question with yes, a text question with text"
                raise ClaimRuleBroken(msg, field=f"lines.{index}.answers")
        lines.append(EnteredLine(component_id=entry.component_id, units=entry.units, answers=entry.answers))
    if not lines:
        return []
    return [ClaimDetailsEntered(claim_id=claim.claim_id, lines=lines, entered_by=actor, entered_at=now)]


def delete(claim: Claim, actor: str, now: dt.datetime) -> list[Event]:
    """Delete a Draft: it is gone as if it had never been started."""
    require(claim.status, Action.DELETE)
    return [ClaimDeleted(claim_id=claim.claim_id, deleted_by=actor, deleted_at=now)]
