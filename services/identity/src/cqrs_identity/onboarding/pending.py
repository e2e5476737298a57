"""Pending Actions: the registrations and access requests an administrator may review, filtered
by kind, status, date and a search of name or address, each flagged when it looks generic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from cqrs_identity.access import Caller
from cqrs_identity.context import Context
from cqrs_identity.errors import NotAllowed
from cqrs_identity.onboarding.identity_rules import generic_identity_flags
from cqrs_identity.users.accounts import RequestKind, RequestStatus
from cqrs_identity.users.roles import USER_MANAGER_ROLES


class PendingAction(BaseModel):
    """One line of Pending Actions: a registration or access request, where it stands, and the
    reasons (if any) it looks like a shared mailbox or a name that identifies nobody."""

    request_id: str
    user_id: str
    kind: RequestKind
    email: str
    first_name: str
    last_name: str
    organisation: str
    requested_role: str | None
    requested_at: dt.datetime
    status: RequestStatus
    decided_at: dt.datetime | None
    reason: str | None
    flags: list[str]


@dataclass(frozen=True)
class PendingFilter:
    """What the administrator narrowed the list to, and how it is sorted."""

    sort: Literal["date", "status"] = "date"
    descending: bool = True
    status: RequestStatus | None = None
    kind: RequestKind | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    q: str | None = None
    organisation: str | None = None
    flagged: bool | None = None

    def keeps(self, line: PendingAction) -> bool:
        """Whether a line passes every filter given."""
        day = line.requested_at.date()
        needle = (self.q or "").strip().lower()
        text = f"{line.first_name} {line.last_name} {line.email}".lower()
        return (
            (self.status is None or line.status is self.status)
            and (self.kind is None or line.kind is self.kind)
            and (self.since is None or day >= self.since)
            and (self.until is None or day <= self.until)
            and (not needle or needle in text)
            and (self.organisation is None or line.organisation == self.organisation)
            and (self.flagged is None or bool(line.flags) is self.flagged)
        )


_STATUS_ORDER = {RequestStatus.PENDING: 0, RequestStatus.APPROVED: 1, RequestStatus.REJECTED: 2}


async def pending_actions(ctx: Context, caller: Caller, wanted: PendingFilter) -> list[PendingAction]:
    """Registrations and access requests the caller may review, filtered and sorted."""
    managed = caller.actor.organisations_where(USER_MANAGER_ROLES)
    if not managed:
        raise NotAllowed("Pending Actions are for User Administrators and Local Administrators")
    accounts = await ctx.stores.accounts.find({"organisations": {"$in": sorted(managed)}})
    lines = [
        PendingAction(
            request_id=r.request_id,
            user_id=a.user_id,
            kind=r.kind,
            email=a.email,
            first_name=a.first_name,
            last_name=a.last_name,
            organisation=r.organisation,
            requested_role=r.requested_role,
            requested_at=r.requested_at,
            status=r.status,
            decided_at=r.decided_at,
            reason=r.reason,
            flags=generic_identity_flags(a.email, a.first_name, a.last_name)
            if r.kind is RequestKind.REGISTRATION
            else [],
        )
        for a in accounts
        for r in a.requests
        if r.kind is not RequestKind.INVITATION and r.organisation in managed
    ]
    lines = [line for line in lines if wanted.keeps(line)]
    if wanted.sort == "status":
        lines.sort(key=lambda p: (_STATUS_ORDER[p.status], p.requested_at), reverse=wanted.descending)
    else:
        lines.sort(key=lambda p: p.requested_at, reverse=wanted.descending)
    return lines
