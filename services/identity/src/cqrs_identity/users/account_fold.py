"""How each account event changes the account: one small function per event, in one table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from cqrs_contracts.events import Event
from cqrs_contracts.events.identity import (
    AccessGranted,
    AccessRequested,
    AccessRequestRejected,
    AccessRestored,
    AccessRevoked,
    AccountDisabled,
    AccountEnabled,
    InvitationSent,
    NotificationPreferencesChanged,
    PasswordChanged,
    PasswordResetRequested,
    RegistrationApproved,
    RegistrationCompleted,
    RegistrationRejected,
    RoleHeld,
    RolesChanged,
    UserClustersChanged,
    UserRegistered,
)
from cqrs_identity.users.accounts import (
    AccessRequest,
    Account,
    AccountStatus,
    Membership,
    Preferences,
    RequestKind,
    RequestStatus,
    audit_entry,
)
from cqrs_identity.users.roles import Role, RoleAssignment


def _roles(held: Sequence[RoleHeld]) -> list[RoleAssignment]:
    return [RoleAssignment(role=Role(r.role), payment_types=list(r.payment_types)) for r in held]


def _decide(
    acc: Account,
    request_id: str,
    *,
    status: RequestStatus,
    by: str,
    at: dt.datetime,
    reason: str | None = None,
    roles: list[RoleAssignment] | None = None,
) -> None:
    for req in acc.requests:
        if req.request_id == request_id:
            req.status, req.decided_by, req.decided_at, req.reason = status, by, at, reason
            req.granted_roles = roles or []


def _member(acc: Account, organisation: str) -> Membership:
    found = acc.membership(organisation)
    if found is None:
        found = Membership(organisation=organisation)
        acc.memberships.append(found)
    return found


def _registered(acc: Account, e: UserRegistered) -> None:
    acc.email, acc.first_name, acc.last_name = e.email, e.first_name, e.last_name
    acc.status = AccountStatus.PENDING_APPROVAL
    acc.requests.append(
        AccessRequest(
            request_id=e.request_id,
            kind=RequestKind.REGISTRATION,
            organisation=e.organisation_ods_code,
            requested_role=e.requested_role,
            requested_at=e.registered_at,
        )
    )


def _approved(acc: Account, e: RegistrationApproved) -> None:
    _decide(
        acc,
        e.request_id,
        status=RequestStatus.APPROVED,
        by=e.approved_by,
        at=e.approved_at,
        roles=_roles(e.roles),
    )
    acc.status = AccountStatus.AWAITING_COMPLETION


def _rejected(acc: Account, e: RegistrationRejected) -> None:
    _decide(
        acc, e.request_id, status=RequestStatus.REJECTED, by=e.rejected_by, at=e.rejected_at, reason=e.reason
    )
    acc.status = AccountStatus.REJECTED


def _invited(acc: Account, e: InvitationSent) -> None:
    existing = acc.status is AccountStatus.ACTIVE  # an existing user accepts; a new one completes
    acc.requests.append(
        AccessRequest(
            request_id=e.request_id,
            kind=RequestKind.INVITATION,
            organisation=e.organisation_ods_code,
            requested_role=e.role,
            requested_at=e.invited_at,
            status=RequestStatus.PENDING if existing else RequestStatus.APPROVED,
            granted_roles=_roles([RoleHeld(role=e.role, payment_types=e.payment_types)]),
            decided_by=None if existing else e.invited_by,
            decided_at=None if existing else e.invited_at,
        )
    )
    if not existing:
        acc.status = AccountStatus.AWAITING_COMPLETION


def _completed(acc: Account, _: RegistrationCompleted) -> None:
    acc.status, acc.completion = AccountStatus.ACTIVE, None


def _access_requested(acc: Account, e: AccessRequested) -> None:
    acc.requests.append(
        AccessRequest(
            request_id=e.request_id,
            kind=RequestKind.ACCESS,
            organisation=e.organisation_ods_code,
            requested_role=e.requested_role,
            requested_at=e.requested_at,
        )
    )


def _access_rejected(acc: Account, e: AccessRequestRejected) -> None:
    _decide(
        acc, e.request_id, status=RequestStatus.REJECTED, by=e.rejected_by, at=e.rejected_at, reason=e.reason
    )


def _access_granted(acc: Account, e: AccessGranted) -> None:
    _member(acc, e.organisation_ods_code).revoked = False
    req = acc.request(e.request_id) if e.request_id else None
    if req is not None and req.status is RequestStatus.PENDING:
        roles = req.granted_roles if req.kind is RequestKind.INVITATION else None
        _decide(
            acc, req.request_id, status=RequestStatus.APPROVED, by=e.granted_by, at=e.granted_at, roles=roles
        )


def _reset_requested(acc: Account, _: PasswordResetRequested) -> None:
    """The reset link itself is state set when saving (only its hash): nothing else changes."""


def _password_changed(acc: Account, _: PasswordChanged) -> None:
    acc.reset = None


def _roles_changed(acc: Account, e: RolesChanged) -> None:
    _member(acc, e.organisation_ods_code).roles = _roles(e.roles)


def _clusters_changed(acc: Account, e: UserClustersChanged) -> None:
    _member(acc, e.organisation_ods_code).cluster_ids = list(e.cluster_ids)


def _revoked(acc: Account, e: AccessRevoked) -> None:
    _member(acc, e.organisation_ods_code).revoked = True


def _restored(acc: Account, e: AccessRestored) -> None:
    _member(acc, e.organisation_ods_code).revoked = False


def _disabled(acc: Account, e: AccountDisabled) -> None:
    acc.status, acc.completion = AccountStatus.DISABLED, None
    acc.disabled_reason = e.reason_text or e.reason


def _enabled(acc: Account, _: AccountEnabled) -> None:
    acc.status = AccountStatus.ACTIVE if acc.password_hash else AccountStatus.AWAITING_COMPLETION
    acc.disabled_reason = None


def _preferences(acc: Account, e: NotificationPreferencesChanged) -> None:
    acc.preferences = Preferences(
        task_emails=e.task_emails, message_emails=e.message_emails, daily_digest=e.daily_digest
    )


#: What each event does to the account (every event also leaves an audit entry).
FOLD: dict[type[Event], Callable[[Account, Any], None]] = {
    UserRegistered: _registered,
    RegistrationApproved: _approved,
    RegistrationRejected: _rejected,
    InvitationSent: _invited,
    RegistrationCompleted: _completed,
    AccessRequested: _access_requested,
    AccessRequestRejected: _access_rejected,
    AccessGranted: _access_granted,
    RolesChanged: _roles_changed,
    UserClustersChanged: _clusters_changed,
    AccessRevoked: _revoked,
    AccessRestored: _restored,
    AccountDisabled: _disabled,
    AccountEnabled: _enabled,
    NotificationPreferencesChanged: _preferences,
    PasswordResetRequested: _reset_requested,
    PasswordChanged: _password_changed,
}


def apply(account: Account | None, event: Event) -> Account:
    """Fold one account event into the account (a new account for its first event)."""
    if account is None:
        if not isinstance(event, UserRegistered | InvitationSent):
            msg = f"an account cannot start with {event.name}"
            raise ValueError(msg)
        account = Account(
            user_id=event.user_id,
            email=event.email,
            first_name=event.first_name,
            last_name=event.last_name,
            status=AccountStatus.PENDING_APPROVAL,
        )
    acc = account.model_copy(deep=True)
    FOLD[type(event)](acc, event)
    acc.history.append(audit_entry(event))
    return acc


def apply_all(account: Account | None, events: Sequence[Event]) -> Account:
    """Fold several events in order."""
    if not events and account is None:
        msg = "nothing to fold into a missing account"
        raise ValueError(msg)
    for event in events:
        account = apply(account, event)
    assert account is not None
    return account
