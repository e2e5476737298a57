"""The calculation of ``domain.calculation`` for a whole year at once: many practices, many
indicators, with numpy.

Why it exists: a national year is about 6,300 practices × 75 indicators; figure by figure with
``Fraction`` that takes seconds, here it takes a fraction of one. Why it lives outside
``domain/``: the domain imports the standard library and pydantic only, and stays the
specification; a test holds this module to the same pence and points on random inputs.

Every figure stays exact: fractions are carried as integer numerator and denominator arrays
(int64 where the bounds below keep them far from overflow), and the one product that can
outgrow 64 bits, pence = points × price × CPI × APDF, is worked out on Python integers. The
arrays kept in ``YearResult`` (cohort, achievement, points, pence, per practice and indicator)
are the figures an explanation shows.

Bounds assumed (checked): counts and list sizes below 10 million, maximum points ≤ 1,000 in
hundredths, thresholds in hundredths of a per cent, at most 6 rounding places.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from cqrs_claims.achievement.domain.rules import PaymentRules, RoundingMode

Ints = npt.NDArray[np.int64]
_LIMIT = 10_000_000
_INT64_SAFE = 2**61
"""Below this, 2 × top + bottom still fits in int64."""


@dataclass(frozen=True)
class YearInput:
    """Counts of P practices × I indicators (rows in ``rules.indicators`` order); register -1 = none."""

    practices: Sequence[str]
    list_size: Ints
    numerator: Ints
    denominator: Ints
    adjustments: Ints
    register: Ints


@dataclass(frozen=True)
class YearResult:
    """Every figure per practice and indicator: cohort, achievement and points as exact fractions
    (numerator / denominator arrays), and pence."""

    cohort: Ints
    achievement_num: Ints
    achievement_den: Ints
    points_num: Ints
    points_den: Ints
    pence: Ints

    def practice_pence(self) -> Ints:
        """Each practice's payment: the sum of its indicators' pence."""
        total: Ints = self.pence.sum(axis=1)
        return total

    def points(self, practice: int, indicator: int) -> Fraction:
        """One indicator's points at one practice, exactly."""
        return Fraction(int(self.points_num[practice, indicator]), int(self.points_den[practice, indicator]))


def _round(num: Ints, den: Ints, scale: int, mode: RoundingMode) -> Ints:
    """round(num / den × scale) exactly, splitting off the whole part first so nothing overflows."""
    whole, rest = np.divmod(num, den)
    scaled = rest * scale
    part = scaled // den if mode == "down" else (2 * scaled + den) // (2 * den)
    out: Ints = whole * scale + part
    return out


def _check(data: YearInput) -> None:
    for name in ("list_size", "numerator", "denominator", "adjustments", "register"):
        if np.any(getattr(data, name) >= _LIMIT):
            msg = f"{name} above {_LIMIT:,} is outside what the bulk calculation handles exactly"
            raise ValueError(msg)


def calculate_year(rules: PaymentRules, data: YearInput) -> YearResult:
    """Cohort, achievement, points and pence of every practice and indicator, as the domain does."""
    _check(data)
    rounding = rules.rounding
    one = np.int64(1)
    lower = np.array([int(r.lower_threshold * 100) for r in rules.indicators], dtype=np.int64)
    upper = np.array([int(r.upper_threshold * 100) for r in rules.indicators], dtype=np.int64)
    maximum = np.array([int(r.maximum_points * 100) for r in rules.indicators], dtype=np.int64)

    cohort = data.denominator - data.adjustments
    counted = cohort > 0
    safe = np.where(counted, cohort, one)
    if rounding.achievement_places is None:
        a_num, a_den = data.numerator * 100, safe
    else:
        scale = 10**rounding.achievement_places
        a_num = _round(data.numerator * 100, safe, scale, rounding.mode)
        a_den = np.full_like(a_num, scale)

    p_num = maximum * (100 * a_num - lower * a_den)
    p_den = 100 * a_den * (upper - lower)
    none = ~counted | (100 * a_num <= lower * a_den)
    full = counted & (100 * a_num >= upper * a_den)
    p_num = np.where(none | full, 0, p_num)
    p_den = np.where(none | full, 1, p_den)
    if rounding.points_places is not None:
        scale = 10**rounding.points_places
        p_num = _round(p_num, p_den, scale, rounding.mode)
        p_den = np.full_like(p_num, scale)
    # the maximum is paid as published, never rounded (only points between thresholds are)
    p_num = np.where(full, maximum, p_num)
    p_den = np.where(full, 100, p_den)

    pence = _pence(rules, data, p_num, p_den)
    return YearResult(cohort, a_num, a_den, p_num, p_den, pence)


def _pence(rules: PaymentRules, data: YearInput, p_num: Ints, p_den: Ints) -> Ints:
    """pence = points × price per point × CPI × APDF, exactly, rounded as the rules say.

    Per indicator, the product is worked out in int64 when its largest possible value fits
    (true for the published prices and prevalences to a few places), else on Python integers.
    """
    average = rules.national_average_list_size
    price = rules.price_per_point_pence
    pence = np.empty(p_num.shape, dtype=np.int64)
    for column, rule in enumerate(rules.indicators):
        if rule.prevalence_adjusted:
            national = Fraction(rule.national_prevalence or 0)
            # CPI × APDF = list/average × (register/list)/national = register/(average × national)
            registers = np.where(data.list_size > 0, np.maximum(data.register[:, column], 0), 0)
            f_num, f_den = registers * national.denominator, average * national.numerator
        else:
            f_num, f_den = data.list_size, average
        top_bound = int(p_num[:, column].max(initial=0)) * price * int(f_num.max(initial=0))
        bottom_bound = int(p_den[:, column].max(initial=1)) * f_den
        if max(top_bound, bottom_bound) < _INT64_SAFE:
            top, bottom = p_num[:, column] * price * f_num, p_den[:, column] * f_den
        else:
            top = p_num[:, column].astype(object) * price * f_num.astype(object)
            bottom = p_den[:, column].astype(object) * f_den
        pence[:, column] = (
            top // bottom if rules.rounding.mode == "down" else (2 * top + bottom) // (2 * bottom)
        )
    return pence
