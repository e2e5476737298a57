"""Money on claims is exact whole pence, shown as pounds the guide's way."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cqrs_claims.claims.domain import money

PENCE = st.integers(min_value=0, max_value=10**9)
UNITS = st.integers(min_value=0, max_value=100_000)


def _parse(shown: str) -> int:
    match = re.fullmatch(r"(-?)£([\d,]+)\.(\d{2})", shown)
    assert match is not None, shown
    value = int(match[2].replace(",", "")) * 100 + int(match[3])
    return -value if match[1] else value


def test_the_guides_worked_example() -> None:
    value = money.line_value(12, 19342)
    assert value == 232104
    assert money.pounds(value) == "£2,321.04"
    assert money.pounds(19342) == "£193.42"


@given(UNITS, PENCE)
def test_a_line_is_units_times_unit_price_exactly(units: int, price: int) -> None:
    value = money.line_value(units, price)
    assert value == units * price
    assert money.line_value(units + 1, price) - value == price


@given(st.lists(PENCE, max_size=50))
def test_a_total_is_the_exact_sum_whatever_the_order(values: list[int]) -> None:
    assert money.total(values) == sum(values) == money.total(reversed(values))


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_pounds_show_every_penny_and_read_back(pence: int) -> None:
    assert _parse(money.pounds(pence)) == pence


@pytest.mark.parametrize(("units", "price"), [(-1, 100), (1, -100)])
def test_negative_units_or_prices_are_refused(units: int, price: int) -> None:
    with pytest.raises(ValueError, match="negative"):
        money.line_value(units, price)
