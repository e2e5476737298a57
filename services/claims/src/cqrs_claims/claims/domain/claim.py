"""A claim's state, its statuses as users see them, and the table of what each status allows."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from cqrs_claims.claims.domain import money
from cqrs_claims.review.domain.state import PaymentState, ReviewState
from cqrs_contracts.events import (
    AddedComponent,
    Answer,
    ClaimComponentsAdded,
    ClaimComponentsRemoved,
    ClaimDeleted,
    ClaimDetailsEntered,
    ClaimDrafted,
    ClaimReadyForTier1Review,
    ClaimReturned,
    ClaimSentForApproval,
    ClaimServicesSelected,
    ClaimSubmitted,
    Event,
)


class ClaimStatus(StrEnum):
    """The claim statuses users see (CL2 moves claims on from Pending Tier 1 Review)."""

    DRAFT = "Draft"
    AWAITING_PROVIDER_APPROVAL = "Awaiting Provider Approval"
    PENDING_SYSTEM_REVIEW = "Pending System Review"
    PENDING_TIER_1_REVIEW = "Pending Tier 1 Review"
    PENDING_TIER_2_REVIEW = "Pending Tier 2 Review"
    PENDING_FINANCE_APPROVAL = "Pending Finance Approval"
    RETURNED = "Returned"
    REJECTED = "Rejected"
    APPROVED = "Approved"
    SENT_FOR_PAYMENT = "Sent for Payment"
    PAID = "Paid"
    DELETED = "Deleted"


class Action(StrEnum):
    """Everything that can be done to a claim here."""

    SELECT_SERVICES = "select services"
    ADD_COMPONENTS = "add components"
    REMOVE_COMPONENTS = "remove components"
    ENTER_DETAILS = "enter details"
    ADD_ATTACHMENT = "add attachment"
    DELETE_ATTACHMENT = "delete attachment"
    DELETE = "delete"
    SEND_FOR_APPROVAL = "send for approval"
    SUBMIT = "submit"
    FINISH_SYSTEM_REVIEW = "finish system review"


_BUILDING = frozenset(
    {
        Action.SELECT_SERVICES,
        Action.ADD_COMPONENTS,
        Action.REMOVE_COMPONENTS,
        Action.ENTER_DETAILS,
        Action.ADD_ATTACHMENT,
        Action.DELETE_ATTACHMENT,
        Action.SEND_FOR_APPROVAL,
        Action.SUBMIT,
    }
)

#: The state table: what each status allows. Anything not listed is refused with the status named.
ALLOWED: dict[ClaimStatus, frozenset[Action]] = {
    ClaimStatus.DRAFT: _BUILDING | {Action.DELETE},
    ClaimStatus.RETURNED: _BUILDING,
    ClaimStatus.AWAITING_PROVIDER_APPROVAL: frozenset({Action.SUBMIT}),
    ClaimStatus.PENDING_SYSTEM_REVIEW: frozenset({Action.FINISH_SYSTEM_REVIEW}),
    ClaimStatus.PENDING_TIER_1_REVIEW: frozenset(),
    ClaimStatus.PENDING_TIER_2_REVIEW: frozenset(),
    ClaimStatus.PENDING_FINANCE_APPROVAL: frozenset(),
    ClaimStatus.REJECTED: frozenset(),
    ClaimStatus.APPROVED: frozenset(),
    ClaimStatus.SENT_FOR_PAYMENT: frozenset(),
    ClaimStatus.PAID: frozenset(),
    ClaimStatus.DELETED: frozenset(),
}


class ClaimRuleBroken(ValueError):
    """A command broke a claim rule; ``field`` names what to change, when one thing is at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotAllowedNow(ClaimRuleBroken):
    """The claim's status does not allow this."""


def require(status: ClaimStatus, action: Action) -> None:
    """Refuse an action the state table does not allow in this status."""
    if action not in ALLOWED[status]:
        msg = f"a claim that is {status.value} cannot {action.value}"
        raise NotAllowedNow(msg, field="status")


class Line(BaseModel):
    """One component in the claim pane, priced when it was added, with what the provider entered."""

    quality_service_id: str
    service_version: int
    component_id: str
    kind: Literal["unit_priced", "retainer"]
    unit_price_pence: int | None = None
    amount_pence: int | None = None
    window_id: str | None = None
    units: int | None = None
    answers: dict[str, Answer] = Field(default_factory=dict)

    @property
    def value_pence(self) -> int:
        """Units × unit price (0 until units are entered), or the retainer's fixed amount."""
        if self.kind == "retainer":
            return self.amount_pence or 0
        return money.line_value(self.units or 0, self.unit_price_pence or 0)


class Claim(BaseModel):
    """A claim's state as saved; the events that made it are its history."""

    claim_id: str
    status: ClaimStatus
    provider_organisation_id: str
    commissioner_organisation_id: str
    financial_year: str
    claim_mode: Literal["single", "multi"]
    quality_service_id: str | None = None
    selected_service_ids: list[str] = Field(default_factory=list)
    lines: list[Line] = Field(default_factory=list)
    taken: list[str] = Field(default_factory=list)
    drafted_by: str
    drafted_at: dt.datetime
    submitted_by: str | None = None
    submitted_at: dt.datetime | None = None
    submitted_attachment_ids: list[str] = Field(default_factory=list)
    returned_reasons: list[str] = Field(default_factory=list)
    review: ReviewState | None = None  # CL2: where it is in the commissioner's review flow
    payment: PaymentState = Field(default_factory=PaymentState)  # CL2: its payment batch and answer
    version: int = 0

    @property
    def total_pence(self) -> int:
        """The exact total of the claim's lines."""
        return money.total(line.value_pence for line in self.lines)

    def line(self, component_id: str) -> Line | None:
        """The claim line of a component, if it is in the claim."""
        return next((line for line in self.lines if line.component_id == component_id), None)

    @property
    def visible(self) -> bool:
        """A deleted draft is gone for everyone, as if never started."""
        return self.status is not ClaimStatus.DELETED


def taken_key(quality_service_id: str, window_id: str | None) -> str:
    """What a claim line takes: a service in one window (services without windows take nothing)."""
    return f"{quality_service_id}:{window_id}"


def _line(component: AddedComponent) -> Line:
    return Line(**component.model_dump())


def _taken(lines: list[Line]) -> list[str]:
    return sorted({taken_key(x.quality_service_id, x.window_id) for x in lines if x.window_id is not None})


def apply(state: Claim | None, event: Event) -> Claim:
    """Fold one event into the claim."""
    if isinstance(event, ClaimDrafted):
        return Claim(
            claim_id=event.claim_id,
            status=ClaimStatus.DRAFT,
            provider_organisation_id=event.provider_organisation_id,
            commissioner_organisation_id=event.commissioner_organisation_id,
            financial_year=event.financial_year,
            claim_mode=event.claim_mode,
            quality_service_id=event.quality_service_id,
            drafted_by=event.drafted_by,
            drafted_at=event.drafted_at,
        )
    if state is None:
        msg = f"{type(event).__name__} before ClaimDrafted"
        raise ValueError(msg)
    if isinstance(event, ClaimServicesSelected):
        selected = [*state.selected_service_ids]
        selected += [s for s in event.quality_service_ids if s not in selected]
        return state.model_copy(update={"selected_service_ids": selected})
    if isinstance(event, ClaimComponentsAdded):
        lines = [*state.lines, *(_line(c) for c in event.components)]
        return state.model_copy(update={"lines": lines, "taken": _taken(lines)})
    if isinstance(event, ClaimComponentsRemoved):
        lines = [x for x in state.lines if x.component_id not in event.component_ids]
        return state.model_copy(update={"lines": lines, "taken": _taken(lines)})
    if isinstance(event, ClaimDetailsEntered):
        entered = {e.component_id: e for e in event.lines}
        lines = [
            x.model_copy(
                update={
                    "units": entered[x.component_id].units,
                    "answers": {a.question_id: a for a in entered[x.component_id].answers},
                }
            )
            if x.component_id in entered
            else x
            for x in state.lines
        ]
        return state.model_copy(update={"lines": lines})
    return _apply_progress(state, event)


def _apply_progress(state: Claim, event: Event) -> Claim:
    """Fold the events that move a claim along its statuses."""
    if isinstance(event, ClaimDeleted):
        return state.model_copy(update={"status": ClaimStatus.DELETED, "taken": []})
    if isinstance(event, ClaimSentForApproval):
        return state.model_copy(update={"status": ClaimStatus.AWAITING_PROVIDER_APPROVAL})
    if isinstance(event, ClaimSubmitted):
        return state.model_copy(
            update={
                "status": ClaimStatus.PENDING_SYSTEM_REVIEW,
                "submitted_by": event.submitted_by,
                "submitted_at": event.submitted_at,
                "submitted_attachment_ids": event.attachment_ids,
                "returned_reasons": [],
            }
        )
    if isinstance(event, ClaimReadyForTier1Review):
        return state.model_copy(update={"status": ClaimStatus.PENDING_TIER_1_REVIEW})
    if isinstance(event, ClaimReturned):
        return state.model_copy(update={"status": ClaimStatus.RETURNED, "returned_reasons": event.reasons})
    from cqrs_claims.review.domain.progress import apply_review  # noqa: PLC0415 - it imports this module

    if (reviewed := apply_review(state, event)) is not None:
        return reviewed
    msg = f"a claim does not take {type(event).__name__}"
    raise ValueError(msg)


def fold(state: Claim | None, events: list[Event]) -> Claim:
    """Apply events in order."""
    for event in events:
        state = apply(state, event)
    if state is None:
        msg = "no events to fold"
        raise ValueError(msg)
    return state
