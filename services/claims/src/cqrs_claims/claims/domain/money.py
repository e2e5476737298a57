"""Money on claims: whole pence only, so every total is exact; pounds appear only when shown."""

from __future__ import annotations

from collections.abc import Iterable


def line_value(units: int, unit_price_pence: int) -> int:
    """Units × unit price, in pence (12 × 19342 = 232104)."""
    if units < 0 or unit_price_pence < 0:
        msg = "units and unit price must not be negative"
        raise ValueError(msg)
    return units * unit_price_pence


def total(values: Iterable[int]) -> int:
    """The claim's total: the exact sum of its line values in pence."""
    return sum(values)


def pounds(pence: int) -> str:
    """Show pence as pounds the way the guide writes them: 232104 -> '£2,321.04'."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"
