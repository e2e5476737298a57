"""Bulk claims: a commissioner's workbook of one service, one row per provider and component, read
row by row. Every wrong cell is named by row and column; nothing is claimed unless every row is
right. Pure: the workbook is read elsewhere, and the claims are built with the claim pane's own
decisions (see ``claim_events``), so a bulk claim obeys the rules a provider's claim obeys."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from cqrs_claims.catalogue.domain import ClaimableService, Component, Question, ServiceVersion
from cqrs_claims.claims.domain import building, submission
from cqrs_claims.claims.domain.claim import Claim, ClaimRuleBroken, fold
from cqrs_claims.claims.domain.pane import services_pane, window_states
from cqrs_claims.claims.domain.windows import new_claim_availability
from cqrs_contracts.events import Answer, ClaimSubmitted, Event

Cell = str | int | float | bool | dt.datetime | None

PROVIDER, PROVIDER_NAME, SERVICE, SERVICE_NAME = "provider", "provider_name", "service", "service_name"
COMPONENT, COMPONENT_NAME, KIND, PRICE, UNITS = "component", "component_name", "kind", "price", "units"
#: The fixed columns, in order: key and header. Units (and the answers after them) are filled in.
FIXED: tuple[tuple[str, str], ...] = (
    (PROVIDER, "Provider ODS code"),
    (PROVIDER_NAME, "Provider name"),
    (SERVICE, "Service ID"),
    (SERVICE_NAME, "Service name"),
    (COMPONENT, "Component ID"),
    (COMPONENT_NAME, "Component name"),
    (KIND, "Kind"),
    (PRICE, "Unit price or amount (£)"),
    (UNITS, "Units"),
)
#: The most units one row may claim (a typing slip of a few digits is refused, not paid).
MAX_UNITS = 100_000
#: The most data rows a workbook may have.
MAX_ROWS = 5_000
YES, NO = "Yes", "No"
_ODS = re.compile(r"^[A-Z0-9]{3,12}$")


def question_key(question: Question) -> str:
    """The column key of a supplementary question."""
    return f"answer:{question.question_id}"


def question_header(question: Question) -> str:
    """The header of a supplementary question's column: its id, then its text."""
    needed = "required" if question.required else "optional"
    return f"{question.question_id} ({needed}): {question.text}"[:250]


def questions_of(service: ServiceVersion) -> list[Question]:
    """Every supplementary question of the service's components, each once, in order."""
    seen: dict[str, Question] = {}
    for component in service.components:
        for question in component.questions:
            seen.setdefault(question.question_id, question)
    return list(seen.values())


def columns(service: ServiceVersion) -> list[tuple[str, str]]:
    """Every column of the service's workbook: the fixed ones, then one per question."""
    return [*FIXED, *((question_key(q), question_header(q)) for q in questions_of(service))]


@dataclass(frozen=True)
class RowProblem:
    """One wrong cell (or row): its 1-based row, the column's key, what is wrong and its type."""

    row: int
    column: str
    message: str
    type: str


class BulkRefused(ValueError):
    """The workbook has wrong rows; nothing was stored."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("; ".join(f"row {p.row} {p.column}: {p.message}" for p in problems[:5]))
        self.problems = problems


@dataclass(frozen=True)
class SheetRow:
    """One data row as read: its 1-based row number and its cells by column key."""

    row: int
    cells: Mapping[str, Cell]

    def text(self, key: str) -> str:
        """The cell as trimmed text ('' when empty)."""
        value = self.cells.get(key)
        if value is None or isinstance(value, bool):
            return "" if value is None else str(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()


@dataclass
class ProviderClaim:
    """What one provider is claimed for: the rows' units and answers, by component."""

    provider: str
    claimable: ClaimableService
    lines: list[submission.SubmitLine] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # component id -> row


@dataclass(frozen=True)
class Context:
    """What rows are checked against: the service, its approved offers, the uploader's scope, today."""

    service: ServiceVersion
    offers: Mapping[str, ClaimableService]  # provider -> its approved offer of the service
    in_scope: frozenset[str]
    taken: Mapping[str, set[str]]  # provider -> service windows its live claims hold
    today: dt.date


def _number(raw: Cell) -> Decimal | None:
    """A cell as a finite number, or None when it is not one."""
    if isinstance(raw, bool | dt.datetime):
        return None
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _units_refused(number: Decimal | None, component: Component) -> tuple[str, str] | None:
    """Why the units cannot be claimed (message, type), or None when they can."""
    if number is None:
        return "enter a whole number of units", "units-not-a-number"
    if number < 0:
        return "units cannot be negative", "units-negative"
    if number != number.to_integral_value():
        return "units must be a whole number", "units-fractional"
    if component.kind == "retainer" and number > 1:
        return "a retainer is paid its fixed amount: enter 1 to claim it, or leave it empty", "retainer-units"
    if number > MAX_UNITS:
        return f"at most {MAX_UNITS:,} units on one row", "units-too-many"
    return None


def _units(row: SheetRow, component: Component, problems: list[RowProblem]) -> int | None:
    """The row's units (None when nothing is claimed: empty or 0), or a problem."""
    raw = row.cells.get(UNITS)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    number = _number(raw)
    refused = _units_refused(number, component)
    if refused is not None:
        problems.append(RowProblem(row.row, UNITS, *refused))
        return None
    assert number is not None
    return int(number) or None


def _answers(
    row: SheetRow, component: Component, service: ServiceVersion, problems: list[RowProblem]
) -> list[Answer]:
    """The answers of a claimed row; required questions must be answered, others left empty."""
    own = {q.question_id for q in component.questions}
    answers: list[Answer] = []
    for question in questions_of(service):
        key = question_key(question)
        value = row.text(key)
        if question.question_id not in own:
            if value:
                message = f"{component.component_id} does not ask this question: leave it empty"
                problems.append(RowProblem(row.row, key, message, "answer-unknown"))
            continue
        if question.kind == "yes_no":
            if value and value.capitalize() not in (YES, NO):
                problems.append(RowProblem(row.row, key, "answer Yes or No", "answer-invalid"))
                continue
            yes = value.capitalize() == YES
            if question.required and not yes:
                message = f"enter Yes to confirm: {question.text}"
                problems.append(RowProblem(row.row, key, message, "answer-required"))
            if value:
                answers.append(Answer(question_id=question.question_id, yes=yes))
        else:
            if question.required and not value:
                problems.append(RowProblem(row.row, key, f"answer: {question.text}", "answer-required"))
            if value:
                answers.append(Answer(question_id=question.question_id, text=value[:1000]))
    return answers


def _provider(row: SheetRow, context: Context, problems: list[RowProblem]) -> ClaimableService | None:
    provider = row.text(PROVIDER).upper()
    if not _ODS.match(provider):
        problems.append(RowProblem(row.row, PROVIDER, "enter the provider's ODS code", "provider-unknown"))
        return None
    if provider not in context.in_scope:
        message = f"{provider} is not a provider you approve claims for"
        problems.append(RowProblem(row.row, PROVIDER, message, "provider-out-of-scope"))
        return None
    offer = context.offers.get(provider)
    if offer is None:
        message = f"{provider} has no approved offer of {context.service.quality_service_id}"
        problems.append(RowProblem(row.row, PROVIDER, message, "provider-no-offer"))
    return offer


def _component(row: SheetRow, service: ServiceVersion, problems: list[RowProblem]) -> Component | None:
    if row.text(SERVICE) != service.quality_service_id:
        message = f"this workbook is for service {service.quality_service_id}: keep its rows to it"
        problems.append(RowProblem(row.row, SERVICE, message, "service-unknown"))
        return None
    component = service.component(row.text(COMPONENT))
    if component is None:
        message = f"{service.service_name} has no component {row.text(COMPONENT)!r}"
        problems.append(RowProblem(row.row, COMPONENT, message, "component-unknown"))
    return component


def _evidence(row: SheetRow, component: Component, problems: list[RowProblem]) -> None:
    if component.evidence is None:
        return
    accepted = ", ".join(component.evidence.accepted_file_types)
    message = (
        f"this component needs an attachment ({accepted}) when claimed, and a bulk upload carries "
        "no files: the provider claims it from its own claim"
    )
    problems.append(RowProblem(row.row, UNITS, message, "evidence-missing"))


def check_rows(rows: Sequence[SheetRow], context: Context) -> list[ProviderClaim]:
    """Every row checked; the claims to make, one per provider with something claimed.

    Raises BulkRefused with every wrong cell. Rows with no units (or 0) claim nothing.
    """
    problems: list[RowProblem] = []
    if len(rows) > MAX_ROWS:
        raise BulkRefused([RowProblem(MAX_ROWS + 2, PROVIDER, f"at most {MAX_ROWS} rows", "too-many-rows")])
    claims: dict[str, ProviderClaim] = {}
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        found = len(problems)
        offer = _provider(row, context, problems)
        component = _component(row, context.service, problems)
        if component is None:
            continue
        key = (row.text(PROVIDER).upper(), component.component_id)
        if key in seen:
            message = f"{key[0]} {key[1]} is already on row {seen[key]}"
            problems.append(RowProblem(row.row, COMPONENT, message, "row-duplicate"))
            continue
        seen[key] = row.row
        units = _units(row, component, problems)
        if units is None:
            continue  # nothing claimed on this row: its answers are not asked
        answers = _answers(row, component, context.service, problems)
        _evidence(row, component, problems)
        if offer is None or len(problems) > found:
            continue
        claim = claims.setdefault(key[0], ProviderClaim(key[0], offer))
        claim.lines.append(
            submission.SubmitLine(
                component_id=component.component_id,
                units=None if component.kind == "retainer" else units,
                answers=answers,
            )
        )
        claim.rows[component.component_id] = row.row
    for claim in claims.values():
        _window(claim, context, problems)
    if not problems and not claims:
        message = "enter units on at least one row (rows left empty claim nothing)"
        problems.append(RowProblem(2, UNITS, message, "nothing-claimed"))
    if problems:
        raise BulkRefused(sorted(problems, key=lambda p: (p.row, p.column)))
    return sorted(claims.values(), key=lambda c: c.provider)


_WINDOW_TYPES = {
    "window_missed": "window-closed",
    "window_not_open_yet": "window-not-open",
    "all_claimed": "window-all-claimed",
}


def _window(claim: ProviderClaim, context: Context, problems: list[RowProblem]) -> None:
    """The service must be claimable for the provider now: its window open and not yet claimed."""
    ((_, state),) = window_states([claim.claimable], context.taken.get(claim.provider, set()), context.today)
    availability = new_claim_availability([state])
    if not availability.available:
        first = min(claim.rows.values())
        message = f"{claim.provider}: {availability.message}"
        kind = _WINDOW_TYPES.get(str(availability.reason), "window-closed")
        problems.append(RowProblem(first, UNITS, message, kind))


def claim_events(
    claim_id: str,
    claim: ProviderClaim,
    context: Context,
    *,
    upload_id: str,
    actor: str,
    now: dt.datetime,
) -> tuple[Claim, list[Event], list[Event]]:
    """The claim a provider would have built and submitted, made by the commissioner: the built
    claim, the building events and the submit events (ClaimSubmitted names the upload, and the
    commissioner as its submitter). A refusal names the row it came from."""
    service = claim.claimable.service
    single = service.claim_mode == "single"
    command = building.NewClaim(
        provider_organisation_id=claim.provider,
        commissioner_organisation_id=None if single else service.commissioner_organisation_id,
        quality_service_id=service.quality_service_id if single else None,
        financial_year=service.financial_year,
    )
    taken = context.taken.get(claim.provider, set())
    today = context.today
    try:
        events = building.draft(claim_id, command, [claim.claimable], taken, today, actor=actor, now=now)
        state = fold(None, events)
        pane = services_pane(state, [claim.claimable], taken, today)
        steps = [building.select_services(state, pane, service.quality_service_id, actor, now)]
        state = fold(state, steps[0])
        for line in claim.lines:  # Add+ of each claimed component, in the row order
            one = (service.quality_service_id, line.component_id)
            steps.append(building.add_components(state, pane, one, actor, now))
            state = fold(state, steps[-1])
        events += [event for step in steps for event in step]
        submitted = submission.submit(
            state,
            submission.Submit(lines=claim.lines),
            {(service.quality_service_id, service.service_version): claim.claimable},
            [],
            today,
            needs_provider_approval=False,
            actor=actor,
            now=now,
        )
    except submission.SubmitRefused as exc:
        raise BulkRefused([_located(claim, p) for p in exc.problems]) from exc
    except ClaimRuleBroken as exc:
        raise BulkRefused([RowProblem(min(claim.rows.values()), UNITS, str(exc), "claim-refused")]) from exc
    marked = [
        e.model_copy(update={"bulk_upload_id": upload_id}) if isinstance(e, ClaimSubmitted) else e
        for e in submitted
    ]
    return state, events, marked


def _located(claim: ProviderClaim, problem: submission.Problem) -> RowProblem:
    """A submit problem (``lines.<component>.<what>``) at the row of its component."""
    parts = problem.field.split(".")
    component = parts[1] if len(parts) > 1 else ""
    column = UNITS
    if len(parts) > 3 and parts[2] == "answers":
        column = f"answer:{parts[3]}"
    row = claim.rows.get(component, min(claim.rows.values()))
    return RowProblem(row, column, problem.message, problem.type)
