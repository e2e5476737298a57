"""Decisions on existing accounts: access requests, roles, clusters, revoke, enable, disable and
notification preferences. Authorisation is checked by the caller; these check the account's state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cqrs_contracts.events import Event
from cqrs_contracts.events.identity import (
    AccessGranted,
    AccessRequested,
    AccessRequestRejected,
    AccessRestored,
    AccessRevoked,
    AccountDisabled,
    AccountEnabled,
    NotificationPreferencesChanged,
    PasswordChanged,
    PasswordResetRequested,
    RolesChanged,
    UserClustersChanged,
)
from cqrs_identity.errors import RuleBroken
from cqrs_identity.users.accounts import (
    DISABLE_REASONS,
    OTHER_REASON_MAX,
    AccessRequest,
    Account,
    AccountCommand,
    Preferences,
    RequestKind,
    RequestStatus,
    given_reason,
    roles_held,
)
from cqrs_identity.users.roles import RoleAssignment

C = AccountCommand


def request_access(
    account: Account, *, request_id: str, organisation: str, role: str | None, now: dt.datetime
) -> list[Event]:
    """An existing user asks for access to another organisation."""
    account.require(C.REQUEST_ACCESS)
    member = account.membership(organisation)
    if member is not None and not member.revoked:
        raise RuleBroken(f"you already have access to {organisation}", field="organisation")
    if any(r.organisation == organisation and r.status is RequestStatus.PENDING for r in account.requests):
        raise RuleBroken(
            f"you already asked for access to {organisation}; an administrator will review it",
            field="organisation",
        )
    return [
        AccessRequested(
            user_id=account.user_id,
            request_id=request_id,
            organisation_ods_code=organisation,
            requested_role=role,
            requested_at=now,
        )
    ]


def pending_access_request(account: Account, request_id: str) -> AccessRequest:
    """The access request waiting for a decision."""
    req = account.request(request_id)
    if req is None or req.kind is not RequestKind.ACCESS:
        raise RuleBroken(f"there is no access request {request_id}", field="request_id")
    if req.status is not RequestStatus.PENDING:
        raise RuleBroken(f"this request was already {req.status.value.lower()}", field="request_id")
    return req


def approve_access_request(
    account: Account, *, request_id: str, roles: Sequence[RoleAssignment], actor: str, now: dt.datetime
) -> list[Event]:
    """Approve an access request: access with the chosen roles, at once."""
    account.require(C.REVIEW_ACCESS_REQUEST)
    req = pending_access_request(account, request_id)
    return [
        AccessGranted(
            user_id=account.user_id,
            organisation_ods_code=req.organisation,
            request_id=request_id,
            granted_by=actor,
            granted_at=now,
        ),
        RolesChanged(
            user_id=account.user_id,
            organisation_ods_code=req.organisation,
            roles=roles_held(roles),
            changed_by=actor,
            changed_at=now,
        ),
    ]


def reject_access_request(
    account: Account, *, request_id: str, reason: str, actor: str, now: dt.datetime
) -> list[Event]:
    """Reject an access request, giving the reason."""
    account.require(C.REVIEW_ACCESS_REQUEST)
    req = pending_access_request(account, request_id)
    return [
        AccessRequestRejected(
            user_id=account.user_id,
            request_id=request_id,
            organisation_ods_code=req.organisation,
            reason=given_reason(reason),
            rejected_by=actor,
            rejected_at=now,
        )
    ]


def change_roles(
    account: Account, *, organisation: str, roles: Sequence[RoleAssignment], actor: str, now: dt.datetime
) -> list[Event]:
    """Set the user's roles at one organisation (adding the organisation when new to them)."""
    account.require(C.CHANGE_ROLES)
    member = account.membership(organisation)
    if member is not None and member.revoked:
        raise RuleBroken(f"access at {organisation} is revoked; enable it first", field="organisation")
    if member is not None and list(member.roles) == list(roles):
        return []
    events: list[Event] = []
    if member is None:
        events.append(
            AccessGranted(
                user_id=account.user_id, organisation_ods_code=organisation, granted_by=actor, granted_at=now
            )
        )
    events.append(
        RolesChanged(
            user_id=account.user_id,
            organisation_ods_code=organisation,
            roles=roles_held(roles),
            changed_by=actor,
            changed_at=now,
        )
    )
    return events


def _live_membership(account: Account, organisation: str) -> None:
    member = account.membership(organisation)
    if member is None:
        raise RuleBroken(f"the user has no access at {organisation}", field="organisation")
    if member.revoked:
        raise RuleBroken(f"access at {organisation} is already revoked", field="organisation")


def assign_clusters(
    account: Account, *, organisation: str, cluster_ids: Sequence[str], actor: str, now: dt.datetime
) -> list[Event]:
    """Limit the user at one organisation to some of its clusters (none: no limit)."""
    account.require(C.ASSIGN_CLUSTERS)
    _live_membership(account, organisation)
    member = account.membership(organisation)
    assert member is not None
    wanted = sorted(set(cluster_ids))
    if sorted(member.cluster_ids) == wanted:
        return []
    return [
        UserClustersChanged(
            user_id=account.user_id,
            organisation_ods_code=organisation,
            cluster_ids=wanted,
            changed_by=actor,
            changed_at=now,
        )
    ]


def revoke_access(account: Account, *, organisation: str, actor: str, now: dt.datetime) -> list[Event]:
    """Remove all the user's access at one organisation; they can still log in."""
    account.require(C.REVOKE_ACCESS)
    _live_membership(account, organisation)
    return [
        AccessRevoked(
            user_id=account.user_id, organisation_ods_code=organisation, revoked_by=actor, revoked_at=now
        )
    ]


def restore_access(account: Account, *, organisation: str, actor: str, now: dt.datetime) -> list[Event]:
    """Enable Account at one organisation: give back the access that was revoked there."""
    account.require(C.RESTORE_ACCESS)
    member = account.membership(organisation)
    if member is None or not member.revoked:
        raise RuleBroken(f"access at {organisation} is not revoked", field="organisation")
    return [
        AccessRestored(
            user_id=account.user_id, organisation_ods_code=organisation, restored_by=actor, restored_at=now
        )
    ]


def disable(
    account: Account, *, reason: str, reason_text: str | None, actor: str, now: dt.datetime
) -> list[Event]:
    """Disable the whole account (data kept for audit); "Other" needs text of at most 250."""
    account.require(C.DISABLE)
    if reason not in DISABLE_REASONS:
        raise RuleBroken(f"choose a reason from: {', '.join(DISABLE_REASONS)}", field="reason")
    text = (reason_text or "").strip() or None
    if reason == "Other" and text is None:
        raise RuleBroken('say why in a few words when the reason is "Other"', field="reason_text")
    if text is not None and len(text) > OTHER_REASON_MAX:
        raise RuleBroken(
            f"use at most {OTHER_REASON_MAX} characters (you used {len(text)})", field="reason_text"
        )
    return [
        AccountDisabled(
            user_id=account.user_id, reason=reason, reason_text=text, disabled_by=actor, disabled_at=now
        )
    ]


def enable(account: Account, *, actor: str, now: dt.datetime) -> list[Event]:
    """Enable a disabled account again."""
    account.require(C.ENABLE)
    return [AccountEnabled(user_id=account.user_id, enabled_by=actor, enabled_at=now)]


def change_preferences(account: Account, preferences: Preferences, now: dt.datetime) -> list[Event]:
    """Choose which emails to receive."""
    account.require(C.CHANGE_PREFERENCES)
    if account.preferences == preferences:
        return []
    return [
        NotificationPreferencesChanged(
            user_id=account.user_id,
            email=account.email,
            task_emails=preferences.task_emails,
            message_emails=preferences.message_emails,
            changed_at=now,
            daily_digest=preferences.daily_digest,
        )
    ]


def request_password_reset(
    account: Account, *, reset_id: str, requested_by: str, link_expires_at: dt.datetime, now: dt.datetime
) -> list[Event]:
    """Someone asked for a reset link for this account (the link is made and mailed by identity)."""
    account.require(C.REQUEST_PASSWORD_RESET)
    return [
        PasswordResetRequested(
            user_id=account.user_id,
            reset_id=reset_id,
            requested_by=requested_by,
            link_expires_at=link_expires_at,
            requested_at=now,
        )
    ]


def reset_password(account: Account, *, token_hash: str, now: dt.datetime) -> list[Event]:
    """The owner followed a reset link: it must be the current one, unspent and in time."""
    account.require(C.RESET_PASSWORD)
    link = account.reset
    if link is None or link.token_hash != token_hash:
        raise RuleBroken("this link is not valid or was already used; ask for a new one", field="token")
    if link.expires_at <= now:
        raise RuleBroken("this link has expired; ask for a new one", field="token")
    return [PasswordChanged(user_id=account.user_id, how="reset", changed_by=account.user_id, changed_at=now)]


def change_password(account: Account, *, now: dt.datetime) -> list[Event]:
    """The owner changed their password, having given the current one."""
    account.require(C.CHANGE_PASSWORD)
    return [
        PasswordChanged(user_id=account.user_id, how="change", changed_by=account.user_id, changed_at=now)
    ]
