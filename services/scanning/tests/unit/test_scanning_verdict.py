"""Verdict rules and the reasons a provider reads."""

from __future__ import annotations

import pytest

from cqrs_scanning.domain import reasons
from cqrs_scanning.domain.verdict import (
    MAX_REASONS,
    MalwareResult,
    NoMalwareVerdict,
    Outcome,
    decide,
    size_reasons,
)


def test_clean_needs_clamds_word_and_no_reason() -> None:
    assert decide(MalwareResult(), []) == Outcome("clean")


def test_nothing_passes_without_a_clamd_verdict() -> None:
    with pytest.raises(NoMalwareVerdict):
        decide(None, [])


def test_malware_wins_over_every_other_reason() -> None:
    outcome = decide(MalwareResult("Eicar-Test-Signature"), [reasons.program()])
    assert outcome == Outcome("infected", [reasons.infected("Eicar-Test-Signature")], "Eicar-Test-Signature")


def test_content_reasons_reject_even_without_a_clamd_verdict() -> None:
    outcome = decide(None, [reasons.too_large(30 * 2**20, 20 * 2**20)])
    assert outcome.verdict == "rejected"
    assert outcome.signature is None


def test_repeated_reasons_are_given_once_and_long_lists_are_cut() -> None:
    assert decide(MalwareResult(), ["a", "a", "b"]).reasons == ["a", "b"]
    many = decide(MalwareResult(), [f"reason {n}" for n in range(25)]).reasons
    assert len(many) == MAX_REASONS
    assert many[-1] == reasons.more_problems(16)


def test_reasons_fit_the_event() -> None:
    (long_reason,) = decide(MalwareResult(), ["x" * 5000]).reasons
    assert len(long_reason) == 1000


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, [reasons.empty()]),
        (1, []),
        (20 * 2**20, []),
        (20 * 2**20 + 1, [reasons.too_large(20 * 2**20 + 1, 20 * 2**20)]),
    ],
)
def test_size_limits(size: int, expected: list[str]) -> None:
    assert size_reasons(size, 20 * 2**20) == expected


def test_reason_texts_tell_the_provider_what_to_do() -> None:
    assert reasons.too_large(25 * 2**20, 20 * 2**20) == (
        "The file is larger than 20 MB, the largest file we accept (it is at least 25 MB). "
        "Reduce its size, for example by saving it as PDF or splitting it into parts, and upload "
        "it again."
    )
    assert reasons.pid(2, "line 4") == (
        "The file contains 2 NHS numbers (the first in line 4). Evidence must not contain "
        "patient-identifiable data: remove every NHS number and any other patient details, then "
        "upload the file again."
    )
    assert reasons.pid(1, "page 1").startswith("The file contains an NHS number (the first in")
    assert reasons.infected("Win.Test.EICAR_HDB-1").startswith(
        "Our anti-malware check found Win.Test.EICAR_HDB-1 in this file"
    )
    assert reasons.nested_archive("inner.zip") == (
        "The archive contains another archive (inner.zip). Archives inside archives are not "
        "accepted: upload the files it holds directly, or in a single .zip file."
    )
    assert "Remove the password" in reasons.password_protected("pdf")
    assert reasons.in_archive("a/b.csv", "Bad.") == "In a/b.csv: Bad."
