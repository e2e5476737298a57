"""The dates of an offer (step 2 of making one) and the rules they must keep.

* ``service_start`` and ``service_end`` stay within the original service's start and end dates;
* ``service_start`` is on or before ``service_end``;
* ``response_date`` (by when the provider answers) is today or later, and on or before
  ``service_end``;
* ``target_date``, when given, lies between ``service_start`` and ``service_end``.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from cqrs_participation.domain.definition import ServiceDefinition
from cqrs_participation.domain.errors import RuleBroken


class OfferDates(BaseModel):
    """Service start, end, response and (optional) target dates of an offer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    service_start: dt.date
    service_end: dt.date
    response_date: dt.date
    target_date: dt.date | None = None


def _problem(dates: OfferDates, service: ServiceDefinition, today: dt.date) -> tuple[str, str] | None:  # noqa: PLR0911
    """The first rule the dates break: (field, message), or None."""
    if dates.service_start < service.start_date:
        return "service_start", f"service_start must be on or after the service's start {service.start_date}"
    if dates.service_start > service.end_date:
        return "service_start", f"service_start must be on or before the service's end {service.end_date}"
    if dates.service_end > service.end_date:
        return "service_end", f"service_end must be on or before the service's end {service.end_date}"
    if dates.service_end < dates.service_start:
        return "service_end", "service_end must be on or after service_start"
    if dates.response_date < today:
        return "response_date", f"response_date {dates.response_date} is in the past (today is {today})"
    if dates.response_date > dates.service_end:
        return "response_date", "response_date must be on or before service_end"
    if dates.target_date is not None and dates.target_date < dates.service_start:
        return "target_date", "target_date must be on or after service_start"
    if dates.target_date is not None and dates.target_date > dates.service_end:
        return "target_date", "target_date must be on or before service_end"
    return None


def check_offer_dates(dates: OfferDates, service: ServiceDefinition, *, today: dt.date) -> OfferDates:
    """Refuse dates that break a rule, naming the field."""
    problem = _problem(dates, service, today)
    if problem is not None:
        field, message = problem
        raise RuleBroken(message, field=field)
    return dates


def default_dates(service: ServiceDefinition, today: dt.date) -> OfferDates:
    """Step 2's starting values: the service's own period, answer within 28 days."""
    response = min(max(today, service.start_date) + dt.timedelta(days=28), service.end_date)
    return OfferDates(service_start=service.start_date, service_end=service.end_date, response_date=response)
