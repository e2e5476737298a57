"""Submit: every problem of a claim found at once and named by field, or the claim goes to review;
then system review moves it on once its attachments are scanned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from cqrs_claims.attachments.domain import Attachment, AttachmentStatus
from cqrs_claims.catalogue.domain import ClaimableService, Component
from cqrs_claims.claims.domain.claim import Action, Claim, ClaimStatus, Line, require
from cqrs_contracts.events import (
    Answer,
    ClaimDetailsEntered,
    ClaimLine,
    ClaimReadyForTier1Review,
    ClaimReturned,
    ClaimSentForApproval,
    ClaimSubmitted,
    EnteredLine,
    Event,
)
from cqrs_contracts.values import Id

SYSTEM = "system"
"""The actor of what the service decides by itself (scan results moving a claim on)."""


@dataclass(frozen=True)
class Problem:
    """One thing that stops a claim being submitted: where it is and what to do."""

    field: str
    message: str
    type: str


class SubmitRefused(ValueError):
    """Submit found problems; nothing was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


class SubmitLine(BaseModel):
    """A line as the claim pane sends it at submit: units may be anything a person can type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    component_id: Id
    units: float | None = None
    answers: list[Answer] = Field(default_factory=list)


class Submit(BaseModel):
    """Submit (or, for a User (multi-level), send for approval), with the pane's latest entries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lines: list[SubmitLine] = Field(default_factory=list)


def _units(field: str, line: Line, entry: SubmitLine | None, problems: list[Problem]) -> int | None:
    raw: float | int | None = (
        entry.units if entry is not None and "units" in entry.model_fields_set else line.units
    )
    if line.kind == "retainer":
        if raw not in (None, 0):
            problems.append(
                Problem(field, "a retainer is paid its fixed amount and takes no units", "retainer-units")
            )
        return None
    if raw is None:
        problems.append(
            Problem(field, "enter the number of units (0 if there is nothing to claim)", "units-missing")
        )
        return None
    if raw < 0:
        problems.append(Problem(field, "units cannot be negative", "units-negative"))
        return None
    if raw != int(raw):
        problems.append(Problem(field, "units must be a whole number", "units-fractional"))
        return None
    return int(raw)


def _answers(field: str, component: Component, answers: dict[str, Answer], problems: list[Problem]) -> None:
    known = {q.question_id for q in component.questions}
    for question_id in answers:
        if question_id not in known:
            problems.append(
                Problem(f"{field}.{question_id}", "the component has no such question", "answer-unknown")
            )
    for question in component.questions:
        answer = answers.get(question.question_id)
        if not question.required:
            continue
        if question.kind == "yes_no" and (answer is None or answer.yes is not True):
            problems.append(
                Problem(
                    f"{field}.{question.question_id}",
                    f"switch to Yes to confirm: {question.text}",
                    "answer-required",
                )
            )
        if question.kind == "text" and (answer is None or not (answer.text or "").strip()):
            problems.append(
                Problem(f"{field}.{question.question_id}", f"answer: {question.text}", "answer-required")
            )


def _evidence(
    field: str, component: Component, units: int | None, files: list[Attachment], problems: list[Problem]
) -> None:
    """Units of 1 or more need a file. Its scan decides later: an infected or rejected file sends the
    claim back with the scanner's reasons, whether the scan ends before or after Submit."""
    if component.evidence is None or not units or files:
        return
    accepted = ", ".join(component.evidence.accepted_file_types)
    message = f"add an attachment ({accepted}): {component.evidence.instructions}"
    problems.append(Problem(field, message, "evidence-missing"))


@dataclass(frozen=True)
class Checked:
    """A claim that passed every check: its lines as entered and what is submitted."""

    entered: list[EnteredLine]
    lines: list[ClaimLine]
    attachment_ids: list[str]


def check(
    claim: Claim,
    command: Submit,
    services: dict[tuple[str, int], ClaimableService],
    attachments: Sequence[Attachment],
    today: dt.date,
) -> Checked:
    """Check everything at once; raise SubmitRefused with every problem, by field."""
    problems: list[Problem] = []
    entries = {e.component_id: e for e in command.lines}
    for component_id in entries.keys() - {line.component_id for line in claim.lines}:
        problems.append(Problem(f"lines.{component_id}", "the component is not in the claim", "line-unknown"))
    if not claim.lines:
        problems.append(Problem("lines", "add at least one component to the claim", "no-lines"))
    entered: list[EnteredLine] = []
    submitted: list[ClaimLine] = []
    used: list[str] = []
    for line in claim.lines:
        field = f"lines.{line.component_id}"
        entry = entries.get(line.component_id)
        units = _units(f"{field}.units", line, entry, problems)
        answers = (
            {a.question_id: a for a in entry.answers} if entry is not None and entry.answers else line.answers
        )
        service = services.get((line.quality_service_id, line.service_version))
        component = service.service.component(line.component_id) if service else None
        if service is None or component is None:
            problems.append(
                Problem(field, "this service is no longer offered to you: remove it", "service-withdrawn")
            )
            continue
        window = next((w for w in service.service.claim_windows if w.window_id == line.window_id), None)
        if line.window_id is not None and (
            window is None or not window.opens_on <= today <= window.closes_on
        ):
            closed = f" on {window.closes_on:%d %B %Y}" if window and window.closes_on < today else ""
            message = f"the claim window closed{closed}: please contact your Primary Care Team"
            problems.append(Problem(f"{field}.window", message, "window-closed"))
        if units or line.kind == "retainer":  # questions are about what is claimed
            _answers(f"{field}.answers", component, answers, problems)
        files = [
            a
            for a in attachments
            if a.component_id == line.component_id and a.status is not AttachmentStatus.DELETED
        ]
        _evidence(f"{field}.attachments", component, units, files, problems)
        used += [f.attachment_id for f in files]
        entered.append(
            EnteredLine(component_id=line.component_id, units=units, answers=list(answers.values()))
        )
        value = line.model_copy(update={"units": units}).value_pence
        submitted.append(
            ClaimLine(
                component_id=line.component_id,
                units=units or 0,
                unit_price_pence=line.unit_price_pence or 0,
                value_pence=value,
                kind=line.kind,
                quality_service_id=line.quality_service_id,
            )
        )
    if problems:
        raise SubmitRefused(problems)
    return Checked(entered, submitted, used)


def submit(
    claim: Claim,
    command: Submit,
    services: dict[tuple[str, int], ClaimableService],
    attachments: Sequence[Attachment],
    today: dt.date,
    *,
    needs_provider_approval: bool,
    actor: str,
    now: dt.datetime,
) -> list[Event]:
    """Submit a valid claim. A User (multi-level) sends it for approval instead. Without attachments,
    or when all are already clean, it goes straight on to Pending Tier 1 Review."""
    action = Action.SEND_FOR_APPROVAL if needs_provider_approval else Action.SUBMIT
    require(claim.status, action)
    if claim.status is ClaimStatus.AWAITING_PROVIDER_APPROVAL:
        command = Submit()  # the Approver submits what the User prepared, unchanged
    checked = check(claim, command, services, attachments, today)
    events: list[Event] = []
    if command.lines:
        events.append(
            ClaimDetailsEntered(
                claim_id=claim.claim_id, lines=checked.entered, entered_by=actor, entered_at=now
            )
        )
    total = sum(line.value_pence for line in checked.lines)
    if needs_provider_approval:
        return [
            *events,
            ClaimSentForApproval(claim_id=claim.claim_id, total_pence=total, sent_by=actor, sent_at=now),
        ]
    events.append(
        ClaimSubmitted(
            claim_id=claim.claim_id,
            provider_organisation_id=claim.provider_organisation_id,
            commissioner_organisation_id=claim.commissioner_organisation_id,
            quality_service_ids=sorted({line.quality_service_id for line in claim.lines}),
            lines=checked.lines,
            total_pence=total,
            attachment_ids=checked.attachment_ids,
            submitted_by=actor,
            submitted_at=now,
        )
    )
    submitted = [a for a in attachments if a.attachment_id in checked.attachment_ids]
    return events + _review(claim, total, submitted, now)


def _review(claim: Claim, total: int, attachments: Sequence[Attachment], now: dt.datetime) -> list[Event]:
    if any(a.status is AttachmentStatus.PENDING for a in attachments):
        return []
    refused = [a for a in attachments if a.status in {AttachmentStatus.INFECTED, AttachmentStatus.REJECTED}]
    common = {
        "claim_id": claim.claim_id,
        "provider_organisation_id": claim.provider_organisation_id,
        "commissioner_organisation_id": claim.commissioner_organisation_id,
    }
    if refused:
        reasons = [f"{a.file_name}: {'; '.join(a.reasons) or a.status.value}" for a in refused]
        ids = [a.attachment_id for a in refused]
        return [
            ClaimReturned(**common, reasons=reasons, attachment_ids=ids, returned_by=SYSTEM, returned_at=now)
        ]
    ids = [a.attachment_id for a in attachments]
    return [ClaimReadyForTier1Review(**common, total_pence=total, attachment_ids=ids, ready_at=now)]


def finish_system_review(claim: Claim, attachments: Sequence[Attachment], now: dt.datetime) -> list[Event]:
    """Once every submitted attachment is scanned: Pending Tier 1 Review if all are clean, else back
    to the provider with the scanner's reasons. Anything else (still scanning, already moved on)
    changes nothing, so a repeated scan result is harmless."""
    if claim.status is not ClaimStatus.PENDING_SYSTEM_REVIEW:
        return []
    require(claim.status, Action.FINISH_SYSTEM_REVIEW)
    submitted = [a for a in attachments if a.attachment_id in claim.submitted_attachment_ids]
    return _review(claim, claim.total_pence, submitted, now)
