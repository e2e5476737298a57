"""Every declaration transition, the automatic ones, recalculation and refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cqrs_claims.declarations.domain.machine import (
    SYSTEM,
    TRANSITIONS,
    Approve,
    Declare,
    FinanceApprove,
    NotAllowedNow,
    Recalculate,
    decide,
    open_declaration,
)
from cqrs_claims.declarations.domain.model import Declaration, Figures, Status
from cqrs_contracts.events import (
    DeclarationApproved,
    DeclarationDeclared,
    DeclarationOpened,
    DeclarationRecalculated,
)

NOW = dt.datetime(2025, 4, 10, 9, 0, tzinfo=dt.UTC)
FIGURES = Figures(
    achievement_date=dt.date(2025, 3, 31),
    practice_ods_codes=["A81001", "A81002"],
    extraction_ids=["e1", "e2"],
    points_hundredths=52345,
    achievement_pence=11803274,
)


def new(**changes: Any) -> Declaration:
    values: dict[str, Any] = {
        "declaration_id": "qs-iif:U12345",
        "quality_service_id": "qs-iif",
        "financial_year": "2024/25",
        "payment_type": "Network Contract DES",
        "provider_organisation_id": "U12345",
        "provider_kind": "pcn",
        "commissioner_organisation_id": "QWE",
        "figures": FIGURES,
    }
    values.update(changes)
    return Declaration(**values)


def opened(**changes: Any) -> Declaration:
    state, _ = open_declaration(new(**changes), NOW)
    return state


def test_opening_awaits_the_provider() -> None:
    state, events = open_declaration(new(), NOW)
    assert state.status is Status.AWAITING_PROVIDER
    assert [type(e) for e in events] == [DeclarationOpened]
    assert events[0].model_dump()["practice_ods_codes"] == ["A81001", "A81002"]


def test_the_whole_way_to_payment() -> None:
    state = opened()
    state, events = decide(state, Declare("nominated-1"), NOW)
    assert (state.status, state.declared_by) == (Status.AWAITING_COMMISSIONER, "nominated-1")
    assert isinstance(events[0], DeclarationDeclared)
    assert not events[0].automatic
    state, events = decide(state, Approve("approver-1"), NOW)
    assert state.status is Status.AWAITING_FINANCE
    assert isinstance(events[0], DeclarationApproved)
    assert (events[0].step, events[0].status) == ("commissioner", "Awaiting Finance Approval")
    state, events = decide(state, FinanceApprove("finance-1"), NOW)
    assert state.status is Status.APPROVED
    (paid,) = events
    assert isinstance(paid, DeclarationApproved)
    assert (paid.step, paid.status, paid.achievement_pence, paid.points_hundredths) == (
        "finance",
        "Approved for Payment",
        11803274,
        52345,
    )
    assert paid.approved_by == "finance-1"


def test_no_declaration_required_declares_itself() -> None:
    state, events = open_declaration(new(declaration_required=False), NOW)
    assert state.status is Status.AWAITING_COMMISSIONER
    assert [type(e) for e in events] == [DeclarationOpened, DeclarationDeclared]
    assert events[1].model_dump()["automatic"] is True
    assert state.declared_by == SYSTEM


def test_no_approval_required_approves_itself_but_finance_still_approves() -> None:
    state = opened(approval_required=False)
    state, events = decide(state, Declare("nominated-1"), NOW)
    assert state.status is Status.AWAITING_FINANCE
    assert [type(e) for e in events] == [DeclarationDeclared, DeclarationApproved]
    assert isinstance(events[0], DeclarationDeclared)
    assert events[0].approval_required is False  # so nobody is asked to approve it
    assert events[1].model_dump()["automatic"] is True


def test_neither_required_goes_straight_to_finance() -> None:
    state, events = open_declaration(new(declaration_required=False, approval_required=False), NOW)
    assert state.status is Status.AWAITING_FINANCE
    assert len(events) == 3


@pytest.mark.parametrize(
    "status", [Status.AWAITING_PROVIDER, Status.AWAITING_COMMISSIONER, Status.AWAITING_FINANCE]
)
def test_recalculation_returns_an_open_declaration_to_the_provider(status: Status) -> None:
    state = opened().model_copy(update={"status": status, "declared_by": "someone"})
    figures = FIGURES.model_copy(
        update={"practice_ods_codes": ["A81001"], "achievement_pence": 100, "extraction_ids": ["e1"]}
    )
    state, events = decide(state, Recalculate(figures, "pcn_membership"), NOW)
    assert state.status is Status.AWAITING_PROVIDER
    assert state.figures == figures
    assert state.declared_by is None
    (event,) = events
    assert isinstance(event, DeclarationRecalculated)
    assert (event.previous_status, event.reason, event.achievement_pence) == (
        status.value,
        "pcn_membership",
        100,
    )


@pytest.mark.parametrize(
    ("status", "command", "message"),
    [
        (Status.AWAITING_PROVIDER, Approve("a"), "Awaiting Service Provider Approval cannot be approved"),
        (Status.AWAITING_PROVIDER, FinanceApprove("a"), "cannot be finance approved"),
        (
            Status.AWAITING_COMMISSIONER,
            Declare("a"),
            "Awaiting Commissioning Organisation Approval cannot be declared",
        ),
        (Status.AWAITING_FINANCE, Approve("a"), "Awaiting Finance Approval cannot be approved"),
        (Status.APPROVED, Declare("a"), "Approved for Payment cannot be declared"),
        (Status.APPROVED, Recalculate(FIGURES, "achievement"), "cannot be recalculated"),
    ],
)
def test_commands_out_of_turn_are_refused(status: Status, command: object, message: str) -> None:
    state = opened().model_copy(update={"status": status})
    with pytest.raises(NotAllowedNow, match=message):
        decide(state, command, NOW)  # type: ignore[arg-type]


def test_the_table_covers_every_status() -> None:
    assert set(TRANSITIONS) == set(Status)
    assert TRANSITIONS[Status.APPROVED] == {}
