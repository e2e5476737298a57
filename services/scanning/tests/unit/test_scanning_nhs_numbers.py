"""Finding NHS numbers: valid check digits in any of the written forms, nothing else."""

from __future__ import annotations

import pytest

from cqrs_scanning.domain.nhs_numbers import PidFound, find_pid, nhs_numbers_in


@pytest.mark.parametrize(
    "text",
    [
        "9997654323",
        "999 765 4323",
        "999-765-4323",
        "NHS no: 999 765 4323.",
        "NHS9997654323",
        "999\u00a0765\u00a04323",  # no-break spaces, as PDFs and Word write them
        "patient,999-765-4323,seen",
        "943 476 5919",  # the number NHS England's own examples use
    ],
)
def test_a_valid_number_is_found_however_it_is_written(text: str) -> None:
    assert len(nhs_numbers_in(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "9997654324",  # the check digit fails Modulus 11
        "999 765 4324",
        "999-765-4324",
        "9991234560",  # check digit would have to be 10: never a valid number
        "19997654323",  # part of a longer number
        "99976543231",
        "999 765-4323",  # mixed separators are not a form NHS numbers are written in
        "999 7654 323",  # not grouped 3-3-4
        "0123 456 7890",  # a phone number
        "Claim reference 4000000000",
    ],
)
def test_ten_digits_that_are_not_a_valid_nhs_number_are_not_flagged(text: str) -> None:
    assert nhs_numbers_in(text) == []


def test_every_number_is_counted_and_the_first_located() -> None:
    pieces = [
        ("line 1", "practice,count"),
        ("line 2", "999 765 4323,1"),
        ("line 3", "9997654323 and 943-476-5919"),
    ]
    assert find_pid(pieces) == PidFound(count=3, first_location="line 2")


def test_text_without_numbers_has_no_pid() -> None:
    assert find_pid([("page 1", "Twelve care plans were reviewed in March.")]) is None
