"""Every offer date rule at, just inside and just outside its bound, naming the field refused."""

from __future__ import annotations

import datetime as dt

import pytest

from cqrs_participation.domain.dates import OfferDates, check_offer_dates, default_dates
from cqrs_participation.domain.errors import RuleBroken

from .factories import END, START, TODAY, definition

DAY = dt.timedelta(days=1)
SERVICE = definition()
GOOD = {"service_start": START, "service_end": END, "response_date": TODAY, "target_date": None}


def check(**changes: dt.date | None) -> OfferDates:
    """Check the good dates with some changed."""
    return check_offer_dates(OfferDates.model_validate(GOOD | changes), SERVICE, today=TODAY)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"service_start": START - DAY}, "service_start"),
        ({"service_start": END + DAY, "service_end": END}, "service_start"),
        ({"service_end": END + DAY}, "service_end"),
        ({"service_start": dt.date(2025, 6, 2), "service_end": dt.date(2025, 6, 1)}, "service_end"),
        ({"response_date": TODAY - DAY}, "response_date"),
        ({"service_end": dt.date(2025, 6, 1), "response_date": dt.date(2025, 6, 2)}, "response_date"),
        ({"service_start": dt.date(2025, 6, 1), "target_date": dt.date(2025, 5, 31)}, "target_date"),
        ({"target_date": END + DAY}, "target_date"),
    ],
)
def test_date_just_outside_its_bound_is_refused_naming_the_field(
    changes: dict[str, dt.date], field: str
) -> None:
    with pytest.raises(RuleBroken) as refused:
        check(**changes)
    assert refused.value.field == field
    assert field in refused.value.message


@pytest.mark.parametrize(
    "changes",
    [
        {},  # start and end exactly the service's own, response today
        {"service_start": START + DAY, "service_end": END - DAY},
        {"service_start": END, "service_end": END, "response_date": END},  # one-day service
        {"service_start": dt.date(2025, 6, 1), "service_end": dt.date(2025, 6, 1), "response_date": TODAY},
        {"response_date": TODAY + DAY},
        {"target_date": START},
        {"target_date": END},
        {"service_start": dt.date(2025, 6, 1), "target_date": dt.date(2025, 6, 1)},
    ],
)
def test_date_at_or_inside_its_bound_is_accepted(changes: dict[str, dt.date]) -> None:
    assert check(**changes) == OfferDates.model_validate(GOOD | changes)


def test_default_dates_keep_every_rule() -> None:
    dates = default_dates(SERVICE, TODAY)
    assert (dates.service_start, dates.service_end) == (START, END)
    assert check_offer_dates(dates, SERVICE, today=TODAY) == dates


def test_default_response_date_stays_within_a_short_service() -> None:
    short = definition(start_date=dt.date(2025, 4, 1), end_date=dt.date(2025, 5, 10))
    dates = default_dates(short, TODAY)
    assert dates.response_date == dt.date(2025, 5, 10)
    assert check_offer_dates(dates, short, today=TODAY) == dates
