"""Pending Actions: the registrations and access requests an administrator may review."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

from cqrs_identity.access import Caller
from cqrs_identity.context import Context
from cqrs_identity.domain.accounts import RequestKind, RequestStatus
from cqrs_identity.domain.errors import NotAllowed
from cqrs_identity.domain.roles import USER_MANAGER_ROLES


class PendingAction(BaseModel):
    """One line of Pending Actions: a registration or access request and where it stands."""

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


_STATUS_ORDER = {RequestStatus.PENDING: 0, RequestStatus.APPROVED: 1, RequestStatus.REJECTED: 2}


async def pending_actions(
    ctx: Context,
    caller: Caller,
    *,
    sort: Literal["date", "status"],
    descending: bool,
    status: RequestStatus | None,
) -> list[PendingAction]:
    """Registrations and access requests the caller may review, sorted by date or status."""
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
        )
        for a in accounts
        for r in a.requests
        if r.kind is not RequestKind.INVITATION
        and caller.actor.holds(USER_MANAGER_ROLES, r.organisation)
        and (status is None or r.status is status)
    ]
    if sort == "status":
        lines.sort(key=lambda p: (_STATUS_ORDER[p.status], p.requested_at), reverse=descending)
    else:
        lines.sort(key=lambda p: p.requested_at, reverse=descending)
    return lines
