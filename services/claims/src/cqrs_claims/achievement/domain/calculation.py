"""The QOF arithmetic for one practice, exact and explained step by step.

Per indicator (as the public QOF guidance states it):

1. cohort = denominator − personalised care adjustments (PCAs); nobody in it → no points;
2. achievement % = numerator ÷ cohort × 100;
3. points = 0 at or below the lower threshold, the maximum at or above the upper, and
   (achievement − lower) ÷ (upper − lower) × maximum in between;
4. pounds = points × price per point × CPI × APDF, where CPI = list size ÷ national average list
   size and APDF = (register ÷ list size) ÷ national prevalence (prevalence-adjusted indicators
   only; no square root, no floor).

Every figure is a ``Fraction`` until the rounding settings round it, so nothing drifts the way
binary floats do. This module is the specification; ``cqrs_claims.achievement.bulk`` computes
the same figures for many practices at once and is tested against it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from cqrs_claims.achievement.domain.numbers import money, rounded, shown
from cqrs_claims.achievement.domain.rules import IndicatorRule, PaymentRules
from cqrs_contracts.events.extraction import IndicatorCounts


@dataclass(frozen=True)
class Step:
    """One line of an explanation: what was worked out, how, and the result."""

    name: str
    working: str
    result: str


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator's figures at one practice and the steps that produced them."""

    indicator_id: str
    domain: str
    numerator: int
    denominator: int
    personalised_care_adjustments: int
    cohort: int
    achievement: Fraction | None
    points: Fraction
    maximum_points: Fraction
    cpi: Fraction
    apdf: Fraction | None
    pence: int
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class PracticeResult:
    """A practice's achievement for one service: its indicators, total points and total pence."""

    practice_ods_code: str
    list_size: int
    indicators: tuple[IndicatorResult, ...]
    not_paid: tuple[str, ...]

    @property
    def points(self) -> Fraction:
        """Total points: the sum of the indicators' (rounded) points."""
        return sum((r.points for r in self.indicators), Fraction(0))

    @property
    def pence(self) -> int:
        """Total payment: the sum of the indicators' pence, so it equals the sum of its lines."""
        return sum(r.pence for r in self.indicators)


def _achievement(rules: PaymentRules, counts: IndicatorCounts, cohort: int) -> tuple[Fraction, list[Step]]:
    exact = Fraction(counts.numerator * 100, cohort)
    steps = [
        Step(
            "achievement",
            f"numerator ÷ cohort × 100 = {counts.numerator} ÷ {cohort} × 100",
            f"{shown(exact)}%",
        )
    ]
    places = rules.rounding.achievement_places
    if places is None:
        return exact, steps
    value = rounded(exact, places, rules.rounding.mode)
    steps.append(Step("achievement rounded", f"{rules.rounding.mode} to {places} places", f"{shown(value)}%"))
    return value, steps


def _points(rules: PaymentRules, rule: IndicatorRule, achievement: Fraction) -> tuple[Fraction, list[Step]]:
    lower, upper = Fraction(rule.lower_threshold), Fraction(rule.upper_threshold)
    maximum = Fraction(rule.maximum_points)
    band = f"lower {shown(lower)}%, upper {shown(upper)}%, maximum {shown(maximum)}"
    if achievement <= lower:
        return Fraction(0), [Step("points", f"achievement at or below the lower threshold ({band})", "0")]
    if achievement >= upper:
        return maximum, [
            Step("points", f"achievement at or above the upper threshold ({band})", shown(maximum))
        ]
    exact = (achievement - lower) / (upper - lower) * maximum
    steps = [
        Step(
            "points",
            f"(achievement − lower) ÷ (upper − lower) × maximum = ({shown(achievement)} − {shown(lower)})"
            f" ÷ ({shown(upper)} − {shown(lower)}) × {shown(maximum)}",
            shown(exact),
        )
    ]
    places = rules.rounding.points_places
    if places is None:
        return exact, steps
    value = rounded(exact, places, rules.rounding.mode)
    steps.append(Step("points rounded", f"{rules.rounding.mode} to {places} places", shown(value)))
    return value, steps


def _adjustments(
    rules: PaymentRules, rule: IndicatorRule, counts: IndicatorCounts, list_size: int
) -> tuple[Fraction, Fraction | None, list[Step]]:
    average = rules.national_average_list_size
    cpi = Fraction(list_size, average)
    steps = [Step("CPI", f"list size ÷ national average list size = {list_size} ÷ {average}", shown(cpi))]
    if not rule.prevalence_adjusted:
        return cpi, None, steps
    register = counts.register_size or 0
    national = Fraction(rule.national_prevalence or 0)
    prevalence = Fraction(register, list_size) if list_size else Fraction(0)
    apdf = prevalence / national
    steps.append(
        Step(
            "APDF",
            f"(register ÷ list size) ÷ national prevalence = ({register} ÷ {list_size}) ÷ {shown(national)}",
            shown(apdf),
        )
    )
    return cpi, apdf, steps


def calculate_indicator(
    rules: PaymentRules, rule: IndicatorRule, counts: IndicatorCounts, list_size: int
) -> IndicatorResult:
    """Points and pence of one indicator at one practice, with the steps behind them."""
    cohort = counts.denominator - counts.personalised_care_adjustments
    steps = [
        Step(
            "cohort",
            f"denominator − PCAs = {counts.denominator} − {counts.personalised_care_adjustments}",
            str(cohort),
        )
    ]
    achievement: Fraction | None = None
    if cohort <= 0:
        points = Fraction(0)
        steps.append(Step("points", "nobody is in the cohort, so the indicator earns no points", "0"))
    else:
        achievement, more = _achievement(rules, counts, cohort)
        steps += more
        points, more = _points(rules, rule, achievement)
        steps += more
    cpi, apdf, more = _adjustments(rules, rule, counts, list_size)
    steps += more
    price = Fraction(rules.price_per_point_pence, 100)
    pounds = points * price * cpi * (apdf if apdf is not None else 1)
    pence = rounded(pounds * 100, 0, rules.rounding.mode)
    factors = f"{shown(points)} × {money(price)} × {shown(cpi)}" + (f" × {shown(apdf)}" if apdf else "")
    steps.append(
        Step(
            "pounds", f"points × price per point × CPI{' × APDF' if apdf else ''} = {factors}", money(pounds)
        )
    )
    steps.append(Step("payment", f"{rules.rounding.mode} to the penny", money(pence / 100)))
    return IndicatorResult(
        indicator_id=rule.indicator_id,
        domain=rule.domain,
        numerator=counts.numerator,
        denominator=counts.denominator,
        personalised_care_adjustments=counts.personalised_care_adjustments,
        cohort=cohort,
        achievement=achievement,
        points=points,
        maximum_points=Fraction(rule.maximum_points),
        cpi=cpi,
        apdf=apdf,
        pence=int(pence),
        steps=tuple(steps),
    )


def calculate_practice(
    rules: PaymentRules, practice_ods_code: str, list_size: int, counts: Iterable[IndicatorCounts]
) -> PracticeResult:
    """A practice's achievement for one service; counts of indicators the service does not pay
    for are listed in ``not_paid`` and earn nothing."""
    results: list[IndicatorResult] = []
    not_paid: list[str] = []
    for row in counts:
        rule = rules.rule(row.indicator_id)
        if rule is None:
            not_paid.append(row.indicator_id)
        else:
            results.append(calculate_indicator(rules, rule, row, list_size))
    return PracticeResult(practice_ods_code, list_size, tuple(results), tuple(not_paid))
