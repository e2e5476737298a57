"""Field types every event shares, so ids, money, dates and years mean the same thing everywhere."""

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def _as_utc(value: datetime) -> datetime:
    """Normalise an aware instant to UTC so every event time reads the same way."""
    return value.astimezone(UTC)


def _consecutive_years(value: str) -> str:
    """Reject financial years like "2025/27" whose second year does not follow the first."""
    match = _FINANCIAL_YEAR.match(value)
    if match is None or (int(match[1]) + 1) % 100 != int(match[2]):
        msg = f"financial year must look like 2025/26, got {value!r}"
        raise ValueError(msg)
    return value


Id = Annotated[str, StringConstraints(min_length=1, max_length=200)]
"""An opaque identifier issued by the owning service (claim, offer, user, attachment…)."""

OdsCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3,12}$")]
"""An organisation's ODS code, e.g. ``A81001`` for a practice or ``U12345`` for a PCN."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
"""Non-empty free text shown to people (names, reasons, keys)."""

Pence = Annotated[int, Field(ge=0, strict=True)]
"""Money in whole pence; strict so that 1.5 or "150" are refused rather than coerced."""

Count = Annotated[int, Field(ge=0, strict=True)]
"""A non-negative whole number of things (units, bytes, hundredths of a point)."""

UtcDatetime = Annotated[AwareDatetime, AfterValidator(_as_utc)]
"""An instant; naive datetimes are refused because they are ambiguous."""

FinancialYear = Annotated[
    str, StringConstraints(pattern=r"^\d{4}/\d{2}$"), AfterValidator(_consecutive_years)
]
"""An NHS financial year (1 April – 31 March) written ``2025/26``."""
