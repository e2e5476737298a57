"""Exact rounding and display of fractions: the only place a figure loses digits."""

from __future__ import annotations

from fractions import Fraction

from cqrs_claims.achievement.domain.rules import RoundingMode

DISPLAY_PLACES = 6
"""Places shown in explanations when a figure does not end sooner (the figure itself stays exact)."""


def rounded(value: Fraction, places: int, mode: RoundingMode) -> Fraction:
    """Round a non-negative fraction to ``places`` decimal places, half up or down (cut off)."""
    scale = 10**places
    scaled = value * scale
    if mode == "down":
        whole = scaled.numerator // scaled.denominator
    else:
        whole = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    return Fraction(whole, scale)


def hundredths(value: Fraction) -> int:
    """A non-negative figure in whole hundredths, half up (points on events: 12.345 → 1235)."""
    return int(rounded(value, 2, "half_up") * 100)


def shown(value: Fraction) -> str:
    """A fraction as a decimal: exactly when it ends within six places, else to six places with ≈."""
    for places in range(DISPLAY_PLACES + 1):
        if (value * 10**places).denominator == 1:
            return _decimal(value, places)
    return "≈" + _decimal(rounded(value, DISPLAY_PLACES, "half_up"), DISPLAY_PLACES)


def money(pounds: Fraction) -> str:
    """Pounds as people read them: £2,758.13 (more places, with ≈, when it is not whole pence)."""
    text = shown(pounds)
    approx = text.startswith("≈")
    digits = text.removeprefix("≈")
    whole, _, part = digits.partition(".")
    part = part.ljust(2, "0")
    return f"{'≈' if approx else ''}£{int(whole):,}.{part}"


def _decimal(value: Fraction, places: int) -> str:
    scaled = value * 10**places
    whole = scaled.numerator // scaled.denominator
    if places == 0:
        return str(whole)
    text = str(whole).rjust(places + 1, "0")
    return f"{text[:-places]}.{text[-places:]}"
