"""The declaration state machine, as a table you can read, and its pure decisions.

| status now                    | command        | who (at or above the provider) | next status              |
|-------------------------------|----------------|--------------------------------|--------------------------|
| Awaiting Service Provider ... | Declare        | Declaration Management (*)     | Awaiting Commissioning...|
| Awaiting Commissioning ...    | Approve        | Approval Management            | Awaiting Finance Approval|
| Awaiting Finance Approval     | FinanceApprove | Finance Management             | Approved for Payment     |
| any of the three above        | Recalculate    | CQRS (new data, PCN change)    | Awaiting Service Provider|
| Approved for Payment          | (none: final)  |                                |                          |

(*) for a PCN's declaration, a nominated person: PCN Organisation and Declaration Management at
the PCN. ``TRANSITIONS`` below is this table in code.

Automatic steps: a service set to "No Declaration Required" declares by itself on reaching
Awaiting Service Provider Approval; "No Approval Required" gives the commissioning organisation's
approval by itself on reaching Awaiting Commissioning Organisation Approval. Finance approval,
which releases money, is never automatic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cqrs_claims.declarations.domain.model import Declaration, Figures, Status
from cqrs_contracts.events import (
    DeclarationApproved,
    DeclarationDeclared,
    DeclarationOpened,
    DeclarationRecalculated,
    Event,
)
from cqrs_contracts.events.claims import RecalculationReason

SYSTEM = "cqrs-system"
"""The actor of automatic steps."""


@dataclass(frozen=True)
class Declare:
    """The provider declares its achievement and payment."""

    by: str


@dataclass(frozen=True)
class Approve:
    """The commissioning organisation (Approval Management) approves."""

    by: str


@dataclass(frozen=True)
class FinanceApprove:
    """Finance Management approves: the declaration is approved for payment."""

    by: str


@dataclass(frozen=True)
class Recalculate:
    """New figures replace the open declaration's figures."""

    figures: Figures
    reason: RecalculationReason


Command = Declare | Approve | FinanceApprove | Recalculate

TRANSITIONS: dict[Status, dict[type[Command], Status]] = {
    Status.AWAITING_PROVIDER: {Declare: Status.AWAITING_COMMISSIONER, Recalculate: Status.AWAITING_PROVIDER},
    Status.AWAITING_COMMISSIONER: {Approve: Status.AWAITING_FINANCE, Recalculate: Status.AWAITING_PROVIDER},
    Status.AWAITING_FINANCE: {FinanceApprove: Status.APPROVED, Recalculate: Status.AWAITING_PROVIDER},
    Status.APPROVED: {},
}
"""status → command → next status; a command missing from a status's row is refused."""

ROLES: dict[type[Command], tuple[str, ...]] = {
    Declare: ("Declaration Management",),
    Approve: ("Approval Management",),
    FinanceApprove: ("Finance Management",),
}
"""The roles a person needs for each command (a PCN's declaration also needs "PCN Organisation")."""

ACTIONS: dict[type[Command], str] = {
    Declare: "declared",
    Approve: "approved",
    FinanceApprove: "finance approved",
    Recalculate: "recalculated",
}


class NotAllowedNow(Exception):
    """The command does not apply in the declaration's current status."""

    def __init__(self, declaration: Declaration, command: Command) -> None:
        """Say which status refused which command, in words a person can act on."""
        action = ACTIONS[type(command)]
        super().__init__(f"a declaration that is {declaration.status.value} cannot be {action}")


def decide(state: Declaration, command: Command, now: dt.datetime) -> tuple[Declaration, list[Event]]:
    """The declaration after a command, and the events it causes, automatic steps included."""
    if type(command) not in TRANSITIONS[state.status]:
        raise NotAllowedNow(state, command)
    event = _event(state, command, TRANSITIONS[state.status][type(command)], now)
    current = apply(state, event)
    if isinstance(command, Recalculate):
        current = current.model_copy(update={"figures": command.figures})
    return _automatic(current, [event], now)


def open_declaration(new: Declaration, now: dt.datetime) -> tuple[Declaration, list[Event]]:
    """A new declaration awaiting the provider, and the events saying so (automatic steps included)."""
    figures = new.figures
    opened = DeclarationOpened(
        **_common(new, figures, Status.AWAITING_PROVIDER),
        practice_ods_codes=figures.practice_ods_codes,
        opened_at=now,
    )
    state = new.model_copy(update={"status": Status.AWAITING_PROVIDER, "updated_at": now})
    return _automatic(state, [opened], now)


def _automatic(state: Declaration, events: list[Event], now: dt.datetime) -> tuple[Declaration, list[Event]]:
    while (auto := automatic_step(state)) is not None:
        events.append(_event(state, auto, TRANSITIONS[state.status][type(auto)], now, automatic=True))
        state = apply(state, events[-1])
    return state.model_copy(update={"updated_at": now}), events


def automatic_step(state: Declaration) -> Command | None:
    """The step CQRS takes by itself in this status, if the service's settings skip it."""
    if state.status is Status.AWAITING_PROVIDER and not state.declaration_required:
        return Declare(SYSTEM)
    if state.status is Status.AWAITING_COMMISSIONER and not state.approval_required:
        return Approve(SYSTEM)
    return None


def _event(
    state: Declaration, command: Command, to: Status, now: dt.datetime, *, automatic: bool = False
) -> Event:
    figures = command.figures if isinstance(command, Recalculate) else state.figures
    common = _common(state, figures, to)
    if isinstance(command, Recalculate):
        return DeclarationRecalculated(
            **common,
            practice_ods_codes=figures.practice_ods_codes,
            reason=command.reason,
            previous_status=state.status.value,
            recalculated_at=now,
        )
    if isinstance(command, Declare):
        return DeclarationDeclared(
            **common,
            declared_by=command.by,
            declared_at=now,
            automatic=automatic,
            approval_required=state.approval_required,
        )
    return DeclarationApproved(
        **common,
        approved_by=command.by,
        approved_at=now,
        step="commissioner" if isinstance(command, Approve) else "finance",
        payment_type=state.payment_type,
        automatic=automatic,
    )


def _common(state: Declaration, figures: Figures, to: Status) -> dict[str, Any]:
    return {
        "declaration_id": state.declaration_id,
        "quality_service_id": state.quality_service_id,
        "provider_organisation_id": state.provider_organisation_id,
        "commissioner_organisation_id": state.commissioner_organisation_id,
        "financial_year": state.financial_year,
        "achievement_date": figures.achievement_date,
        "points_hundredths": figures.points_hundredths,
        "achievement_pence": figures.achievement_pence,
        "status": to.value,
    }


def apply(state: Declaration, event: Event) -> Declaration:
    """The declaration after one of its events."""
    changes: dict[str, object] = {"status": Status(getattr(event, "status", state.status))}
    if isinstance(event, DeclarationRecalculated):
        changes["figures"] = Figures(
            achievement_date=event.achievement_date,
            practice_ods_codes=event.practice_ods_codes,
            extraction_ids=state.figures.extraction_ids,
            points_hundredths=event.points_hundredths,
            achievement_pence=event.achievement_pence,
        )
        changes.update(declared_by=None, approved_by=None, finance_approved_by=None)
    elif isinstance(event, DeclarationDeclared):
        changes["declared_by"] = event.declared_by
    elif isinstance(event, DeclarationApproved):
        changes["approved_by" if event.step == "commissioner" else "finance_approved_by"] = event.approved_by
    return state.model_copy(update=changes)
