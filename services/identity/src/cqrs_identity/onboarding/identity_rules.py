"""Who may hold an account: one identifiable person, with their own email address and password.

The guide says registrations "where a generic email address has been used and the name doesn't
identify an individual" must be rejected (e.g. ``reception@…``, "Practice Manager"). The rule, in
words, so administrators and tests can read it:

1. An **email address is generic** when every word of the part before ``@`` (words are split at
   ``.``, ``_``, ``-`` and ``+``, and digits are ignored) is a shared-mailbox word from
   ``GENERIC_MAILBOX_WORDS`` or an ODS code, e.g. ``reception@``, ``a81001.admin@``,
   ``practice-manager2@``. ``jane.smith@`` or ``admin.jsmith@`` name a person and pass.
2. A **name does not identify a person** when the first name is a job or team word from
   ``GENERIC_NAME_WORDS`` (e.g. "Reception Smith"), when every word of the whole name is one of
   them ("Practice Manager", "Admin Team"), or when a name holds digits or no letter at all.
   A surname alone may be such a word ("Jane Nurse" is a real person).
"""

from __future__ import annotations

import re

GENERIC_MAILBOX_WORDS = frozenset(
    {
        "accounts",
        "admin",
        "administration",
        "administrator",
        "appointments",
        "billing",
        "claims",
        "contact",
        "contracts",
        "data",
        "enquiries",
        "enquiry",
        "finance",
        "general",
        "generic",
        "gp",
        "gps",
        "help",
        "helpdesk",
        "hr",
        "icb",
        "info",
        "information",
        "inbox",
        "mail",
        "mailbox",
        "manager",
        "managers",
        "medical",
        "nhs",
        "noreply",
        "office",
        "payments",
        "payroll",
        "pcn",
        "post",
        "practice",
        "prescriptions",
        "qof",
        "reception",
        "receptionist",
        "referrals",
        "secretary",
        "secretaries",
        "shared",
        "staff",
        "support",
        "surgery",
        "team",
        "test",
        "user",
        "users",
    }
)
"""Words of shared mailboxes: a local part made only of these is nobody's own address."""

GENERIC_NAME_WORDS = frozenset(
    {
        "accounts",
        "admin",
        "administration",
        "administrator",
        "business",
        "centre",
        "clinic",
        "clinical",
        "data",
        "doctor",
        "finance",
        "general",
        "gp",
        "health",
        "icb",
        "lead",
        "manager",
        "medical",
        "nhs",
        "nurse",
        "office",
        "officer",
        "partner",
        "partners",
        "pcn",
        "practice",
        "reception",
        "receptionist",
        "secretary",
        "staff",
        "surgery",
        "team",
        "test",
        "user",
    }
)
"""Words of job titles and teams: a name made only of these, or starting with one, is nobody."""

_ODS_CODE = re.compile(r"^[a-z]\d{5}$|^(?=[a-z]*\d)[a-z0-9]{3}$")
_SPLIT = re.compile(r"[._+\-]+")
_NAME_SPLIT = re.compile(r"[\s'\-]+")


def _mailbox_words(email: str) -> list[str]:
    local = email.strip().lower().partition("@")[0]
    words = [re.sub(r"\d+", "", w) if not _ODS_CODE.match(w) else w for w in _SPLIT.split(local)]
    return [w for w in words if w]


def generic_email_problem(email: str) -> str | None:
    """Why the email address is a shared mailbox rather than one person's, or None."""
    words = _mailbox_words(email)
    if words and all(w in GENERIC_MAILBOX_WORDS or _ODS_CODE.match(w) for w in words):
        return (
            f"{email.strip()} looks like a shared mailbox; register with an email address "
            "that belongs to you alone"
        )
    return None


def generic_name_problem(first_name: str, last_name: str) -> tuple[str, str] | None:
    """(field, reason) when the name does not identify one person, or None."""
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        if any(ch.isdigit() for ch in value) or not any(ch.isalpha() for ch in value):
            return field, f"{value.strip()!r} is not a person's name; enter your own name"
    first = [w for w in _NAME_SPLIT.split(first_name.strip().lower()) if w]
    last = [w for w in _NAME_SPLIT.split(last_name.strip().lower()) if w]
    whole = f"{first_name.strip()} {last_name.strip()}"
    if all(w in GENERIC_NAME_WORDS for w in first + last):
        return "last_name", (
            f"{whole!r} describes a job or team, not a person; enter your own first and last name"
        )
    if first and first[0] in GENERIC_NAME_WORDS:
        return "first_name", (
            f"{first_name.strip()!r} is a job or team, not a first name; enter your own first name"
        )
    return None


def generic_identity_problem(email: str, first_name: str, last_name: str) -> tuple[str, str] | None:
    """(field, reason) for the first part of an identity that is not one person's, or None."""
    email_problem = generic_email_problem(email)
    if email_problem:
        return "email", email_problem
    return generic_name_problem(first_name, last_name)


def generic_identity_flags(email: str, first_name: str, last_name: str) -> list[str]:
    """Every reason an administrator should look twice: a shared mailbox, a name that is nobody's.
    The administrator decides (the guide: such requests must be rejected after review)."""
    flags = [generic_email_problem(email), generic_name_problem(first_name, last_name)]
    return [f if isinstance(f, str) else f[1] for f in flags if f is not None]


def generic_identity_refusal(email: str, first_name: str, last_name: str) -> tuple[str, str] | None:
    """(field, reason) when BOTH the address is a shared mailbox AND the name identifies nobody:
    only then is a registration refused outright; either alone is flagged for the administrator."""
    email_problem = generic_email_problem(email)
    name_problem = generic_name_problem(first_name, last_name)
    if email_problem and name_problem:
        return "email", f"{email_problem}; and {name_problem[1]}"
    return None


def is_generic_identity(email: str, first_name: str, last_name: str) -> str | None:
    """The reason a registration must be refused as not identifying one person, or None."""
    problem = generic_identity_problem(email, first_name, last_name)
    return problem[1] if problem else None


MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


def password_problem(password: str, email: str) -> str | None:
    """Why a password is too weak to protect an account, or None (length over complexity rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"use at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"use at most {MAX_PASSWORD_LENGTH} characters"
    if len(set(password)) < 4:
        return "use more than three different characters"
    local = email.strip().lower().partition("@")[0]
    if len(local) >= 4 and local in password.lower():
        return "do not include your email address in your password"
    return None
