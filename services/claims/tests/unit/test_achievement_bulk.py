"""The year-at-once calculation gives exactly the domain's points and pence, whatever the inputs."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cqrs_claims.achievement.bulk import YearInput, calculate_year
from cqrs_claims.achievement.domain.calculation import calculate_indicator
from cqrs_claims.achievement.domain.rules import IndicatorRule, PaymentRules, Rounding
from cqrs_contracts.events import IndicatorCounts

from .achievement_rules import payment_rules


@st.composite
def rule_sets(draw: st.DrawFn) -> PaymentRules:
    rules = []
    for number in range(draw(st.integers(1, 4))):
        lower = draw(st.integers(0, 9000))
        upper = draw(st.integers(lower + 1, 10000))
        adjusted = draw(st.booleans())
        rules.append(
            IndicatorRule(
                indicator_id=f"I{number}",
                lower_threshold=Decimal(lower) / 100,
                upper_threshold=Decimal(upper) / 100,
                maximum_points=Decimal(draw(st.integers(1, 10000))) / 100,
                prevalence_adjusted=adjusted,
                national_prevalence=Decimal(draw(st.integers(1, 10**6))) / 10**6 if adjusted else None,
            )
        )
    rounding = Rounding(
        achievement_places=draw(st.none() | st.integers(0, 6)),
        points_places=draw(st.none() | st.integers(0, 6)),
        mode=draw(st.sampled_from(["half_up", "down"])),
    )
    return payment_rules(*rules, rounding=rounding, price_per_point_pence=draw(st.integers(1, 100000)))


@st.composite
def rows(draw: st.DrawFn) -> tuple[int, int, int, int]:
    denominator = draw(st.integers(0, 200000))
    adjustments = draw(st.integers(0, denominator))
    numerator = draw(st.integers(0, denominator - adjustments))
    return numerator, denominator, adjustments, draw(st.integers(-1, 200000))


@settings(max_examples=150, deadline=None)
@given(rules=rule_sets(), data=st.data())
def test_bulk_agrees_with_the_domain_to_the_penny(rules: PaymentRules, data: st.DataObject) -> None:
    practices = data.draw(st.integers(1, 4))
    width = len(rules.indicators)
    table = [[data.draw(rows()) for _ in range(width)] for _ in range(practices)]
    sizes = [data.draw(st.integers(0, 300000)) for _ in range(practices)]

    def column(i: int) -> np.ndarray:
        return np.array([[cell[i] for cell in row] for row in table], dtype=np.int64)

    year = calculate_year(
        rules,
        YearInput(
            [f"P{p}" for p in range(practices)],
            np.array(sizes, dtype=np.int64),
            column(0),
            column(1),
            column(2),
            column(3),
        ),
    )
    for p, row in enumerate(table):
        for i, (numerator, denominator, adjustments, register) in enumerate(row):
            counts = IndicatorCounts(
                indicator_id=f"I{i}",
                numerator=numerator,
                denominator=denominator,
                personalised_care_adjustments=adjustments,
                register_size=None if register < 0 else register,
            )
            expected = calculate_indicator(rules, rules.indicators[i], counts, sizes[p])
            assert year.points(p, i) == expected.points
            assert int(year.pence[p, i]) == expected.pence
    assert list(year.practice_pence()) == [sum(int(v) for v in year.pence[p]) for p in range(practices)]


def test_bulk_products_beyond_64_bits_stay_exact() -> None:
    rule = IndicatorRule(
        indicator_id="BIG",
        lower_threshold=Decimal(0),
        upper_threshold=Decimal(100),
        maximum_points=Decimal("999.99"),
        prevalence_adjusted=True,
        national_prevalence=Decimal("0.999999"),
    )
    rules = payment_rules(rule, price_per_point_pence=100_000, rounding=Rounding(points_places=None))
    ints = np.array([[9_999_998]], dtype=np.int64)
    year = calculate_year(rules, YearInput(["P1"], np.array([9_999_999]), ints, ints + 1, ints * 0, ints))
    counts = IndicatorCounts(
        indicator_id="BIG", numerator=9_999_998, denominator=9_999_999, register_size=9_999_998
    )
    expected = calculate_indicator(rules, rule, counts, 9_999_999).pence
    # points × price × register × 1,000,000 (prevalence's denominator) is far beyond int64
    assert int(year.points_num[0, 0]) * 100_000 * 9_999_998 * 1_000_000 > 2**63
    assert int(year.pence[0, 0]) == expected
