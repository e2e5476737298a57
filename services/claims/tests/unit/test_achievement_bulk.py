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
        YearInput([f"P{p}" for p in range(practices)], np.array(sizes, dtype=np.int64), column(0), column(1), column(2), column(3)),
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
