"""Finding NHS numbers in text, so patient-identifiable evidence is refused before anyone sees it.

A candidate is ten digits written ``9434765919``, ``943 476 5919`` or ``943-476-5919`` (one kind
of separator throughout), not touching other digits; it counts only when the ``nhs-number``
library accepts it (Modulus 11 check digit, and a real date of birth in the CHI range), so ten-digit
numbers that fail the check digit (phone numbers, references) are not flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from nhs_number.validate import is_valid

#: Separators seen between the 3-3-4 groups; no-break and thin spaces come from PDFs and Word.
_SEPARATORS = r" \u00a0\u202f\u2009\-\u2010\u2011\u2012\u2013"
_CANDIDATE = re.compile(rf"(?<!\d)(\d{{3}})([{_SEPARATORS}]?)(\d{{3}})\2(\d{{4}})(?!\d)")


@dataclass(frozen=True)
class PidFound:
    """How many NHS numbers a file holds and where the first one is, never the numbers themselves."""

    count: int
    first_location: str


def nhs_numbers_in(text: str) -> list[str]:
    """The valid NHS numbers in a piece of text, as ten plain digits each."""
    found = []
    for match in _CANDIDATE.finditer(text):
        digits = match[1] + match[3] + match[4]
        if is_valid(digits):
            found.append(digits)
    return found


def find_pid(pieces: Iterable[tuple[str, str]]) -> PidFound | None:
    """Look through (location, text) pieces of a file; None when no valid NHS number is there."""
    count, first = 0, ""
    for location, text in pieces:
        numbers = nhs_numbers_in(text)
        if numbers and not first:
            first = location
        count += len(numbers)
    return PidFound(count, first) if count else None
