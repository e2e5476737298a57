"""What a Quality Service says: the content a commissioner edits and publishes as a version.

The parts (components, evidence, questions, windows, indicators) are the contract's own types, so
what is published is exactly what was validated here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from cqrs_contracts.events.quality_service import (
    ClaimMode,
    ClaimWindow,
    IndicatorDomain,
    ServiceComponent,
)
from cqrs_contracts.values import FinancialYear, OdsCode, Text
from cqrs_participation.domain.errors import RuleBroken

NATIONAL_PAYMENT_TYPES = frozenset({"QOF", "Network Contract DES"})
"""Payment types of national services, defined by NHS England and carrying indicators."""


def financial_year_bounds(year: str) -> tuple[dt.date, dt.date]:
    """1 April and 31 March of a financial year written ``2025/26``."""
    first = int(year[:4])
    return dt.date(first, 4, 1), dt.date(first + 1, 3, 31)


def financial_year_of(day: dt.date) -> str:
    """The financial year a day falls in."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def _duplicate(values: Iterable[str]) -> str | None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            return value
        seen.add(value)
    return None


class ServiceDefinition(BaseModel):
    """The editable content of a Quality Service; a published version is one frozen copy of it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    commissioner_organisation_id: OdsCode
    financial_year: FinancialYear
    payment_type: Text
    service_name: Text
    description: str = Field(default="", max_length=4000)
    start_date: dt.date
    end_date: dt.date
    paycode: Text
    claim_mode: ClaimMode = "single"
    declaration_required: bool = False
    approval_required: bool = True
    components: list[ServiceComponent] = Field(default_factory=list, max_length=100)
    claim_windows: list[ClaimWindow] = Field(default_factory=list, max_length=60)
    domains: list[IndicatorDomain] = Field(default_factory=list, max_length=4)

    @property
    def national(self) -> bool:
        """Whether this is a national service (QOF, Network Contract DES)."""
        return self.payment_type in NATIONAL_PAYMENT_TYPES


def _problem(d: ServiceDefinition) -> tuple[str, str] | None:  # noqa: PLR0911 - one rule per return
    """The first way the definition contradicts itself: (field, message), or None."""
    year_start, year_end = financial_year_bounds(d.financial_year)
    if d.end_date < d.start_date:
        return "end_date", "end_date must be on or after start_date"
    if not year_start <= d.start_date <= year_end:
        return "start_date", f"start_date must fall in financial year {d.financial_year}"
    if (dup := _duplicate(c.component_id for c in d.components)) is not None:
        return "components", f"component_id {dup!r} is used by two components"
    if (dup := _duplicate(q.question_id for c in d.components for q in c.questions)) is not None:
        return "components", f"question_id {dup!r} is used by two questions"
    if (dup := _duplicate(w.window_id for w in d.claim_windows)) is not None:
        return "claim_windows", f"window_id {dup!r} is used by two claim windows"
    if any(w.opens_on < d.start_date for w in d.claim_windows):
        return "claim_windows", "a claim window opens before the service's start_date"
    if (dup := _duplicate(x.domain for x in d.domains)) is not None:
        return "domains", f"domain {dup!r} is listed twice"
    if (dup := _duplicate(i.indicator_id for x in d.domains for i in x.indicators)) is not None:
        return "domains", f"indicator_id {dup!r} is used by two indicators"
    if d.domains and not d.national:
        return "domains", "only national services (QOF, Network Contract DES) have indicators"
    if not d.components and not d.domains:
        return "components", "a service needs at least one component (or, if national, indicators)"
    return None


def check_definition(definition: ServiceDefinition) -> ServiceDefinition:
    """Refuse a definition that contradicts itself, naming the field at fault."""
    problem = _problem(definition)
    if problem is not None:
        field, message = problem
        raise RuleBroken(message, field=field)
    return definition
