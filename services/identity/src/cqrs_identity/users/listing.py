"""Filtering and sorting of the user list and the audit trail (pure: the routes page the result)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from cqrs_identity.users.accounts import AccountStatus, Membership
from cqrs_identity.users.roles import Role

UserSort = Literal["name", "email", "status"]

U = TypeVar("U", bound="Listed")
A = TypeVar("A", bound="Audited")


class Listed(Protocol):
    """What a user line offers to filter and sort on."""

    email: str
    first_name: str
    last_name: str
    status: AccountStatus
    memberships: list[Membership]


@dataclass(frozen=True)
class UserFilter:
    """What the user list is narrowed to and ordered by."""

    q: str | None = None
    status: AccountStatus | None = None
    organisation: str | None = None
    role: Role | None = None
    sort: UserSort = "name"
    descending: bool = False


def _matches(user: Listed, wanted: UserFilter, visible: frozenset[str]) -> bool:
    needle = (wanted.q or "").strip().lower()
    if needle and not any(
        needle in text.lower()
        for text in (user.email, f"{user.first_name} {user.last_name}", f"{user.last_name} {user.first_name}")
    ):
        return False
    if wanted.status is not None and user.status is not wanted.status:
        return False
    return wanted.role is None or any(
        m.organisation in visible and any(r.role is wanted.role for r in m.roles) for m in user.memberships
    )


def filter_users(users: Iterable[U], wanted: UserFilter, visible: Iterable[str]) -> list[U]:
    """Users matching the search (of name and email), status and role held at one of the
    ``visible`` organisations, sorted by name, email or status."""
    shown = frozenset(visible)
    found = [u for u in users if _matches(u, wanted, shown)]

    def key(user: U) -> tuple[str, ...]:
        """The sort key, names breaking ties."""
        name = (user.last_name.lower(), user.first_name.lower(), user.email.lower())
        if wanted.sort == "email":
            return (user.email.lower(), *name)
        if wanted.sort == "status":
            return (user.status.value, *name)
        return name

    return sorted(found, key=key, reverse=wanted.descending)


class Audited(Protocol):
    """What an audit line offers to filter on."""

    user_id: str
    at: dt.datetime
    actor: str


@dataclass(frozen=True)
class AuditFilter:
    """A date range (inclusive days), the actor who did it, and the user it was done to."""

    since: dt.date | None = None
    until: dt.date | None = None
    actor: str | None = None
    subject: str | None = None


def filter_audit(lines: Sequence[A], wanted: AuditFilter) -> list[A]:
    """Audit lines in the range, by the actor, about the subject, newest first."""
    return sorted(
        (
            line
            for line in lines
            if (wanted.since is None or line.at.date() >= wanted.since)
            and (wanted.until is None or line.at.date() <= wanted.until)
            and (wanted.actor is None or line.actor == wanted.actor)
            and (wanted.subject is None or line.user_id == wanted.subject)
        ),
        key=lambda line: line.at,
        reverse=True,
    )
