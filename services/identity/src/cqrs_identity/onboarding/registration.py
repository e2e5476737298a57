"""Bringing people in: registration, approval, rejection, invitation and completion, each
deciding events from the account and the command's facts.

Authorisation (who may do it) is checked by the caller with ``Actor`` and the role matrix; these
functions check what the account's own state allows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cqrs_contracts.events import Event
from cqrs_contracts.events.identity import (
    AccessGranted,
    InvitationSent,
    RegistrationApproved,
    RegistrationCompleted,
    RegistrationRejected,
    RolesChanged,
    UserRegistered,
)
from cqrs_identity.errors import RuleBroken
from cqrs_identity.onboarding.identity_rules import generic_identity_flags, generic_identity_refusal
from cqrs_identity.users.accounts import (
    ALLOWED,
    AccessRequest,
    Account,
    AccountCommand,
    AccountStatus,
    RequestKind,
    RequestStatus,
    given_reason,
    roles_held,
)
from cqrs_identity.users.roles import RoleAssignment

C = AccountCommand


class Person:
    """Who an account is for: refused when neither the address nor the name identifies one
    person; ``flags`` says why an administrator should look twice when only one of them fails."""

    def __init__(self, email: str, first_name: str, last_name: str) -> None:
        problem = generic_identity_refusal(email, first_name, last_name)
        if problem:
            raise RuleBroken(problem[1], field=problem[0])
        self.email = email.strip()
        self.first_name = first_name.strip()
        self.last_name = last_name.strip()
        self.flags = generic_identity_flags(email, first_name, last_name)


def register(
    account: Account | None,
    *,
    user_id: str,
    request_id: str,
    person: Person,
    organisation: str,
    role: str | None,
    now: dt.datetime,
) -> list[Event]:
    """A person registers; a rejected person may register again, anyone else logs in instead."""
    if account is not None and C.REGISTER not in ALLOWED[account.status]:
        raise RuleBroken(
            f"an account already exists for {person.email}; log in and request "
            "access to another organisation instead",
            field="email",
        )
    return [
        UserRegistered(
            user_id=user_id,
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            organisation_ods_code=organisation,
            requested_role=role,
            request_id=request_id,
            registered_at=now,
        )
    ]


def pending_registration(account: Account) -> AccessRequest:
    """The registration request waiting for a decision."""
    found = [
        r
        for r in account.requests
        if r.kind is RequestKind.REGISTRATION and r.status is RequestStatus.PENDING
    ]
    if not found:
        raise RuleBroken(f"{account.email} has no registration waiting for a decision")
    return found[-1]


def approve_registration(
    account: Account,
    *,
    roles: Sequence[RoleAssignment],
    actor: str,
    link_expires_at: dt.datetime,
    now: dt.datetime,
) -> list[Event]:
    """Approve: the person is emailed a single-use link to complete their registration."""
    account.require(C.APPROVE_REGISTRATION)
    req = pending_registration(account)
    return [
        RegistrationApproved(
            user_id=account.user_id,
            email=account.email,
            organisation_ods_code=req.organisation,
            request_id=req.request_id,
            roles=roles_held(roles),
            link_expires_at=link_expires_at,
            approved_by=actor,
            approved_at=now,
        )
    ]


def reject_registration(account: Account, *, reason: str, actor: str, now: dt.datetime) -> list[Event]:
    """Reject: a reason is required, and the person is emailed it."""
    account.require(C.REJECT_REGISTRATION)
    req = pending_registration(account)
    return [
        RegistrationRejected(
            user_id=account.user_id,
            email=account.email,
            organisation_ods_code=req.organisation,
            request_id=req.request_id,
            reason=given_reason(reason),
            rejected_by=actor,
            rejected_at=now,
        )
    ]


def invite(
    account: Account | None,
    *,
    user_id: str,
    request_id: str,
    person: Person,
    organisation: str,
    role: RoleAssignment,
    actor: str,
    link_expires_at: dt.datetime | None,
    now: dt.datetime,
) -> list[Event]:
    """Invite a new person (they complete registration from the emailed link) or an existing user
    (they are emailed, and the role applies only once they accept it: never a silent membership)."""
    if account is not None:
        account.require(C.INVITE)
    existing = account is not None and account.status is AccountStatus.ACTIVE
    if existing:
        assert account is not None
        member = account.membership(organisation)
        if member is not None and member.revoked:
            raise RuleBroken(
                f"access at {organisation} was revoked; enable it before inviting", field="organisation"
            )
        if member is not None and any(r.role is role.role for r in member.roles):
            raise RuleBroken(
                f"{account.email} already holds {role.role.value} at {organisation}", field="role"
            )
        if any(r.organisation == organisation for r in account.pending_invitations()):
            raise RuleBroken(
                f"{account.email} already has an invitation to {organisation} waiting", field="organisation"
            )
    return [
        InvitationSent(
            user_id=user_id,
            email=person.email if account is None else account.email,
            first_name=person.first_name if account is None else account.first_name,
            last_name=person.last_name if account is None else account.last_name,
            organisation_ods_code=organisation,
            request_id=request_id,
            role=role.role.value,
            payment_types=list(role.payment_types),
            link_expires_at=None if existing else link_expires_at,
            invited_by=actor,
            invited_at=now,
        )
    ]


def accept_invitation(account: Account, *, request_id: str, now: dt.datetime) -> list[Event]:
    """An existing user accepts an invitation: the role applies from now."""
    account.require(C.ACCEPT_INVITATION)
    req = next((r for r in account.pending_invitations() if r.request_id == request_id), None)
    if req is None:
        raise RuleBroken("there is no invitation waiting with this id", field="request_id")
    member = account.membership(req.organisation)
    if member is not None and member.revoked:
        raise RuleBroken(
            f"your access at {req.organisation} was revoked; ask its administrator", field="request_id"
        )
    current = list(member.roles) if member else []
    offered = {r.role for r in req.granted_roles}
    roles = [r for r in current if r.role not in offered] + list(req.granted_roles)
    return [
        AccessGranted(
            user_id=account.user_id,
            organisation_ods_code=req.organisation,
            request_id=request_id,
            granted_by=account.user_id,
            granted_at=now,
        ),
        RolesChanged(
            user_id=account.user_id,
            organisation_ods_code=req.organisation,
            roles=roles_held(roles),
            changed_by=account.user_id,
            changed_at=now,
        ),
    ]


def complete_registration(account: Account, *, token_hash: str, now: dt.datetime) -> list[Event]:
    """The person followed their link: the account becomes active with the roles approved."""
    account.require(C.COMPLETE_REGISTRATION)
    link = account.completion
    if link is None or link.token_hash != token_hash:
        raise RuleBroken("this link is not valid; ask your administrator for a new one", field="token")
    if link.expires_at <= now:
        raise RuleBroken("this link has expired; ask your administrator to send a new one", field="token")
    events: list[Event] = [
        RegistrationCompleted(
            user_id=account.user_id,
            email=account.email,
            first_name=account.first_name,
            last_name=account.last_name,
            completed_at=now,
        )
    ]
    granted: dict[str, list[RoleAssignment]] = {}
    for req in account.requests:
        if req.status is RequestStatus.APPROVED and req.kind is not RequestKind.ACCESS:
            roles = granted.setdefault(req.organisation, [])
            roles.extend(r for r in req.granted_roles if r not in roles)
    for organisation, roles in granted.items():
        if account.membership(organisation) is None:
            events.append(
                AccessGranted(
                    user_id=account.user_id,
                    organisation_ods_code=organisation,
                    granted_by="system",
                    granted_at=now,
                )
            )
        events.append(
            RolesChanged(
                user_id=account.user_id,
                organisation_ods_code=organisation,
                roles=roles_held(roles),
                changed_by="system",
                changed_at=now,
            )
        )
    return events
