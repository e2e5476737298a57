"""Points and pence per indicator: thresholds, empty cohorts, rounding settings, explanations."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from pydantic import ValidationError

from cqrs_claims.achievement.domain.calculation import calculate_indicator, calculate_practice
from cqrs_claims.achievement.domain.rules import Rounding
from cqrs_contracts.events import IndicatorCounts

from .achievement_rules import indicator, payment_rules

AVERAGE_LIST = 9639


def counts(
    numerator: int, denominator: int = 1000, adjustments: int = 0, register: int | None = None
) -> IndicatorCounts:
    return IndicatorCounts(
        indicator_id="CHOL001",
        numerator=numerator,
        denominator=denominator,
        personalised_care_adjustments=adjustments,
        register_size=register,
    )


def points_at(numerator: int, **rounding: object) -> Fraction:
    rules = payment_rules(rounding=Rounding.model_validate(rounding))
    return calculate_indicator(rules, rules.indicators[0], counts(numerator), AVERAGE_LIST).points


@pytest.mark.parametrize(
    ("numerator", "expected"),
    [
        (0, Fraction(0)),
        (699, Fraction(0)),  # 69.9 %: below the lower threshold
        (700, Fraction(0)),  # 70 %: at the lower threshold earns nothing
        (701, Fraction("0.06")),  # 70.1 %: 0.1/25 × 14 = 0.056 → 0.06
        (825, Fraction(7)),  # 82.5 %: half way, half the points
        (949, Fraction("13.94")),  # 94.9 %: 24.9/25 × 14 = 13.944 → 13.94
        (950, Fraction(14)),  # 95 %: at the upper threshold, the maximum
        (951, Fraction(14)),  # above it, still the maximum
        (1000, Fraction(14)),
    ],
)
def test_points_at_and_around_the_thresholds(numerator: int, expected: Fraction) -> None:
    assert points_at(numerator) == expected


def test_points_between_thresholds_are_exact_when_not_rounded() -> None:
    assert points_at(701, points_places=None) == Fraction(1, 10) / 25 * 14


def test_nobody_in_the_cohort_earns_nothing_and_says_why() -> None:
    rules = payment_rules()
    for row in (counts(0, denominator=0), counts(0, denominator=40, adjustments=40)):
        result = calculate_indicator(rules, rules.indicators[0], row, 12000)
        assert (result.cohort, result.achievement, result.pence) == (0, None, 0)
        assert result.points == 0
        assert "nobody is in the cohort" in result.steps[1].working


def test_adjustments_leave_the_cohort() -> None:
    rules = payment_rules()
    result = calculate_indicator(rules, rules.indicators[0], counts(760, 1000, 50), AVERAGE_LIST)
    assert result.cohort == 950
    assert result.achievement == Fraction(76000, 950)  # 80 %, not 76 %


def test_achievement_rounding_setting_changes_points() -> None:
    # 850 of 960 = 88.541666…%; rounded to 1 place, 88.5 % → (18.5/25) × 14 = 10.36 points
    exact = calculate_indicator(payment_rules(), indicator(), counts(850, 1000, 40), AVERAGE_LIST)
    rules = payment_rules(rounding=Rounding(achievement_places=1))
    rounded = calculate_indicator(rules, indicator(), counts(850, 1000, 40), AVERAGE_LIST)
    assert exact.points == Fraction("10.38")
    assert rounded.achievement == Fraction("88.5")
    assert rounded.points == Fraction("10.36")


def test_rounding_down_never_pays_more_than_half_up() -> None:
    up = calculate_indicator(payment_rules(), indicator(), counts(850, 1000, 40), 12000)
    rules = payment_rules(rounding=Rounding(mode="down"))
    down = calculate_indicator(rules, indicator(), counts(850, 1000, 40), 12000)
    assert down.points == Fraction("10.38")  # 10.38333… cut off
    assert (up.pence, down.pence) == (275805, 275804)  # 275804.967… pence


def test_prevalence_adjusted_indicator_pays_by_register_not_list() -> None:
    rule = indicator("HYP008", prevalence_adjusted=True, national_prevalence=Decimal("0.15"))
    rules = payment_rules(rule)
    small_list = calculate_indicator(rules, rule, counts(950, register=1500), 10000)
    big_list = calculate_indicator(rules, rule, counts(950, register=1500), 20000)
    # CPI × APDF = list/9639 × (1500/list)/0.15: the list size cancels out
    assert small_list.pence == big_list.pence == round(14 * 21343 * Fraction(10000, 9639))
    assert small_list.apdf == 1
    assert big_list.apdf == Fraction(1, 2)


def test_prevalence_adjusted_rule_needs_the_national_prevalence() -> None:
    with pytest.raises(ValidationError, match="needs national_prevalence"):
        indicator(prevalence_adjusted=True)


def test_thresholds_out_of_order_are_refused() -> None:
    with pytest.raises(ValidationError, match="lower_threshold must not be above upper_threshold"):
        indicator(lower_threshold=Decimal(96), upper_threshold=Decimal(95))


def test_equal_thresholds_pay_all_or_nothing() -> None:
    rules = payment_rules(indicator(lower_threshold=Decimal(80), upper_threshold=Decimal(80)))
    rule = rules.indicators[0]
    assert calculate_indicator(rules, rule, counts(800), AVERAGE_LIST).points == 0
    assert calculate_indicator(rules, rule, counts(801), AVERAGE_LIST).points == 14


def test_practice_totals_are_sums_of_lines_and_unknown_indicators_earn_nothing() -> None:
    rules = payment_rules(indicator("A"), indicator("B", maximum_points=Decimal(20)))
    rows = [
        IndicatorCounts(indicator_id="A", numerator=825, denominator=1000),
        IndicatorCounts(indicator_id="B", numerator=1000, denominator=1000),
        IndicatorCounts(indicator_id="ZZ", numerator=1, denominator=1),
    ]
    result = calculate_practice(rules, "A81001", 9639, rows)
    assert result.points == 27
    assert result.pence == sum(r.pence for r in result.indicators) == 27 * 21343
    assert result.not_paid == ("ZZ",)


def test_explanation_names_every_step() -> None:
    rules = payment_rules()
    result = calculate_indicator(rules, rules.indicators[0], counts(850, 1000, 40), 12000)
    assert [s.name for s in result.steps] == [
        "cohort",
        "achievement",
        "points",
        "points rounded",
        "CPI",
        "pounds",
        "payment",
    ]
    assert result.steps[-1].result == "£2,758.05"
