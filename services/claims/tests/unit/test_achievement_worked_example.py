"""A worked QOF example, reproduced to the penny.

Sources:
* the points formula, CPI and APDF: NHS England, "Quality and Outcomes Framework guidance for
  2023/24" (points rise linearly between the lower and upper payment thresholds; achievement =
  numerator ÷ (denominator − PCAs); pounds = points × value of a point × CPI, and × APDF for
  prevalence-adjusted indicators), as summarised in ../shared/DOMAIN.md;
* the money: CQRS's "Quality and Outcomes Framework (QOF) Payments" FAQ — "The value of a QOF
  point for 2023/24 is £213.43" and "The national average practice list size used for the 23/24
  achievement calculation is 9639".

The guidance gives the formula and the 2023/24 figures, not a practice; the practice below is
constructed, and each figure is derived by hand in the comments so a reader can check it:

Case 1, an indicator paid on list size (CPI only): 14 points between 70 % and 95 %, 1,000 in the
denominator, 40 PCAs, 850 met, list size 12,000.
  cohort       = 1000 − 40                     = 960
  achievement  = 850 ÷ 960 × 100               = 88.541666…%
  points       = (88.541666… − 70) ÷ 25 × 14   = 10.383333… → 10.38 (2 places, half up)
  CPI          = 12000 ÷ 9639                  = 1.244942…
  pounds       = 10.38 × 213.43 × 12000 ÷ 9639 = 42198160/153 pence = 275804.967… pence
  payment      = £2,758.05 (with points unrounded: 10.383333… → 275893.537… → £2,758.94, which
                 is why the rounding of points is a setting)

Case 2, a prevalence-adjusted indicator: 20 points between 45 % and 80 %, 1,500 in the
denominator, 60 PCAs, 1,008 met, list 12,000, register 1,800, national prevalence 14.4 %.
  cohort       = 1440;   achievement = 1008 ÷ 1440 × 100 = 70 %
  points       = (70 − 45) ÷ 35 × 20 = 14.285714… → 14.29
  APDF         = (1800 ÷ 12000) ÷ 0.144 = 1.041666…
  pounds       = 14.29 × 213.43 × 1.244942… × 1.041666… = 395517.52 pence → £3,955.18
                 (points unrounded: 395398.90 pence → £3,953.99)
"""

from __future__ import annotations

from decimal import Decimal

from cqrs_claims.achievement.domain.calculation import calculate_indicator
from cqrs_claims.achievement.domain.rules import Rounding
from cqrs_contracts.events import IndicatorCounts

from .achievement_rules import indicator, payment_rules

CASE_1 = IndicatorCounts(
    indicator_id="CHOL001", numerator=850, denominator=1000, personalised_care_adjustments=40
)
CASE_2 = IndicatorCounts(
    indicator_id="HYP008",
    numerator=1008,
    denominator=1500,
    personalised_care_adjustments=60,
    register_size=1800,
)
HYP = indicator(
    "HYP008",
    lower_threshold=Decimal(45),
    upper_threshold=Decimal(80),
    maximum_points=Decimal(20),
    prevalence_adjusted=True,
    national_prevalence=Decimal("0.144"),
)


def test_list_size_indicator_pays_2758_05() -> None:
    rules = payment_rules()
    result = calculate_indicator(rules, rules.indicators[0], CASE_1, 12000)
    assert result.points == Decimal("10.38")
    assert result.pence == 275805


def test_list_size_indicator_with_unrounded_points_pays_2758_94() -> None:
    rules = payment_rules(rounding=Rounding(points_places=None))
    assert calculate_indicator(rules, rules.indicators[0], CASE_1, 12000).pence == 275894


def test_prevalence_adjusted_indicator_pays_3955_18() -> None:
    rules = payment_rules(HYP)
    result = calculate_indicator(rules, HYP, CASE_2, 12000)
    assert result.achievement == 70
    assert result.points == Decimal("14.29")
    assert result.pence == 395518
    assert result.steps[-1].result == "£3,955.18"


def test_prevalence_adjusted_indicator_with_unrounded_points_pays_3953_99() -> None:
    rules = payment_rules(HYP, rounding=Rounding(points_places=None))
    assert calculate_indicator(rules, HYP, CASE_2, 12000).pence == 395399
