"""Registrations must name one person: shared mailboxes and job titles are refused, with reasons."""

from __future__ import annotations

import pytest

from cqrs_identity.onboarding.identity_rules import (
    generic_identity_problem,
    is_generic_identity,
    password_problem,
)


@pytest.mark.parametrize(
    "email",
    [
        "reception@nhs.net",
        "Admin@surgery.nhs.uk",
        "a81001.reception@nhs.net",
        "practice-manager2@nhs.net",
        "info@x.org",
        "enquiries+qof@nhs.net",
        "gp.surgery@nhs.net",
    ],
)
def test_shared_mailboxes_are_refused(email: str) -> None:
    problem = generic_identity_problem(email, "Jane", "Smith")
    assert problem is not None
    assert problem[0] == "email"
    reason = is_generic_identity(email, "Jane", "Smith")
    assert reason is not None
    assert "shared mailbox" in reason


@pytest.mark.parametrize(
    "email",
    [
        "jane.smith@nhs.net",
        "admin.jsmith@nhs.net",
        "jsmith2@nhs.net",
        "joe@nhs.net",
        "amy.o-neil@nhs.net",
    ],
)
def test_personal_addresses_pass(email: str) -> None:
    assert is_generic_identity(email, "Jane", "Smith") is None


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("Practice", "Manager", "last_name"),
        ("Admin", "Team", "last_name"),
        ("Reception", "Smith", "first_name"),
        ("Jane2", "Smith", "first_name"),
        ("Jane", "...", "last_name"),
        ("GP", "Surgery", "last_name"),
    ],
)
def test_names_that_are_not_a_person_are_refused(first: str, last: str, field: str) -> None:
    problem = generic_identity_problem("jane.smith@nhs.net", first, last)
    assert problem is not None
    assert problem[0] == field


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("Jane", "Nurse"),
        ("Mary-Jane", "O'Neil"),
        ("Seán", "Ó Briain"),
        ("Li", "Na"),
    ],
)
def test_real_names_pass_even_when_a_surname_is_a_job(first: str, last: str) -> None:
    assert is_generic_identity("jane.smith@nhs.net", first, last) is None


def test_the_reason_quotes_what_was_typed() -> None:
    reason = is_generic_identity("jane.smith@nhs.net", "Practice", "Manager")
    assert reason is not None
    assert "'Practice Manager' describes a job or team" in reason


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short", "at least 12"),
        ("aaaaaaaaaaaaaaa", "three different"),
        ("jane.smith-is-me-2025", "email address"),
        ("x" * 129 + "abcd", "at most 128"),
    ],
)
def test_weak_passwords_are_refused(password: str, fragment: str) -> None:
    problem = password_problem(password, "jane.smith@nhs.net")
    assert problem is not None
    assert fragment in problem


def test_a_long_passphrase_is_fine() -> None:
    assert password_problem("correct horse battery staple", "jane.smith@nhs.net") is None
