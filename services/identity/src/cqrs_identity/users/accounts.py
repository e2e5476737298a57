"""A user's account: its status table, memberships, requests, audit trail, and how events fold in.

Accounts are never deleted. The table below is the whole state machine: a command not listed
for the account's status is refused, saying the status.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field

from cqrs_contracts.events import Event
from cqrs_contracts.events.identity import (
    InvitationSent,
    RoleHeld,
    RolesChanged,
    UserClustersChanged,
)
from cqrs_identity.errors import RuleBroken
from cqrs_identity.users.roles import RoleAssignment


class AccountStatus(StrEnum):
    """Where an account stands."""

    PENDING_APPROVAL = "Pending Approval"
    REJECTED = "Rejected"
    AWAITING_COMPLETION = "Awaiting Completion"
    ACTIVE = "Active"
    DISABLED = "Disabled"


class AccountCommand(StrEnum):
    """Everything that can be done to an account, in the words of the refusal message."""

    REGISTER = "register"
    APPROVE_REGISTRATION = "approve a registration"
    REJECT_REGISTRATION = "reject a registration"
    INVITE = "invite"
    COMPLETE_REGISTRATION = "complete registration"
    REQUEST_ACCESS = "request access"
    REVIEW_ACCESS_REQUEST = "review an access request"
    CHANGE_ROLES = "change roles"
    ASSIGN_CLUSTERS = "assign clusters"
    REVOKE_ACCESS = "revoke access"
    RESTORE_ACCESS = "enable access"
    DISABLE = "disable the account"
    ENABLE = "enable the account"
    LOG_IN = "log in"
    CHANGE_PREFERENCES = "change notification preferences"
    ACCEPT_INVITATION = "accept an invitation"
    REQUEST_PASSWORD_RESET = "reset the password"  # noqa: S105 - a command name
    RESET_PASSWORD = "choose a new password from a reset link"  # noqa: S105 - a command name
    CHANGE_PASSWORD = "change the password"  # noqa: S105 - a command name


_C = AccountCommand
#: The account state machine: status → the commands allowed in it.
ALLOWED: dict[AccountStatus, frozenset[AccountCommand]] = {
    AccountStatus.PENDING_APPROVAL: frozenset({_C.APPROVE_REGISTRATION, _C.REJECT_REGISTRATION}),
    AccountStatus.REJECTED: frozenset({_C.REGISTER}),
    AccountStatus.AWAITING_COMPLETION: frozenset({_C.COMPLETE_REGISTRATION, _C.INVITE, _C.DISABLE}),
    AccountStatus.ACTIVE: frozenset(
        {
            _C.INVITE,
            _C.REQUEST_ACCESS,
            _C.REVIEW_ACCESS_REQUEST,
            _C.CHANGE_ROLES,
            _C.ASSIGN_CLUSTERS,
            _C.REVOKE_ACCESS,
            _C.RESTORE_ACCESS,
            _C.DISABLE,
            _C.LOG_IN,
            _C.CHANGE_PREFERENCES,
            _C.ACCEPT_INVITATION,
            _C.REQUEST_PASSWORD_RESET,
            _C.RESET_PASSWORD,
            _C.CHANGE_PASSWORD,
        }
    ),
    AccountStatus.DISABLED: frozenset({_C.ENABLE}),
}

DISABLE_REASONS = (
    "No longer requires access",
    "Left the organisation",
    "Duplicate account",
    "Security concern",
    "Other",
)
"""Reasons offered when disabling an account; "Other" needs a few words of explanation."""
OTHER_REASON_MAX = 250


class RequestKind(StrEnum):
    """How a person came to ask for access."""

    REGISTRATION = "Registration"
    ACCESS = "Access request"
    INVITATION = "Invitation"


class RequestStatus(StrEnum):
    """Where a request stands in Pending Actions."""

    PENDING = "Pending"
    APPROVED = "Approved"
    REJECTED = "Rejected"


class AccessRequest(BaseModel):
    """A registration, access request or invitation at one organisation, and its decision."""

    request_id: str
    kind: RequestKind
    organisation: str
    requested_role: str | None = None
    requested_at: dt.datetime
    status: RequestStatus = RequestStatus.PENDING
    granted_roles: list[RoleAssignment] = Field(default_factory=list)
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    reason: str | None = None


class Membership(BaseModel):
    """The user's access at one organisation: roles, clusters limiting it, and whether revoked."""

    organisation: str
    roles: list[RoleAssignment] = Field(default_factory=list)
    cluster_ids: list[str] = Field(default_factory=list)
    revoked: bool = False


class AuditEntry(BaseModel):
    """One account action: who did what, when, where and why."""

    at: dt.datetime
    actor: str
    action: str
    organisation: str | None = None
    reason: str | None = None
    detail: str | None = None


class Preferences(BaseModel):
    """Which emails the user wants, and whether once a day in one digest instead of one by one."""

    task_emails: bool = True
    message_emails: bool = True
    daily_digest: bool = False


class Completion(BaseModel):
    """A single-use emailed link (completing a registration, or resetting a password): only the
    hash of its token is kept, with the public ``nonce`` the token is derived from (see
    ``cqrs_identity.emails.links``) so the mail can be written again at send time."""

    token_hash: str
    expires_at: dt.datetime
    nonce: str | None = None


class Account(BaseModel):
    """A user's account as saved."""

    model_config = ConfigDict(extra="ignore")

    user_id: str
    email: str
    first_name: str
    last_name: str
    status: AccountStatus
    memberships: list[Membership] = Field(default_factory=list)
    requests: list[AccessRequest] = Field(default_factory=list)
    history: list[AuditEntry] = Field(default_factory=list)
    preferences: Preferences = Field(default_factory=Preferences)
    completion: Completion | None = None
    reset: Completion | None = None
    password_hash: str | None = None
    disabled_reason: str | None = None
    version: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def email_key(self) -> str:
        """The address compared case-insensitively, so one person has one account."""
        return self.email.strip().lower()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def organisations(self) -> list[str]:
        """Every organisation the user has (or had) access at, for finding users by organisation."""
        return sorted({m.organisation for m in self.memberships} | {r.organisation for r in self.requests})

    @computed_field  # type: ignore[prop-decorator]
    @property
    def member_organisations(self) -> list[str]:
        """Organisations the user has (or had, when revoked) access at: requests never count."""
        return sorted({m.organisation for m in self.memberships})

    def live_memberships(self) -> list[Membership]:
        """Memberships not revoked, whatever the account's status (what disabling takes away)."""
        return [m for m in self.memberships if not m.revoked]

    def pending_invitations(self) -> list[AccessRequest]:
        """Invitations of an existing user waiting for them to accept."""
        return [
            r for r in self.requests if r.kind is RequestKind.INVITATION and r.status is RequestStatus.PENDING
        ]

    def membership(self, organisation: str) -> Membership | None:
        """The membership at this organisation, if any."""
        return next((m for m in self.memberships if m.organisation == organisation), None)

    def request(self, request_id: str) -> AccessRequest | None:
        """One of the account's requests."""
        return next((r for r in self.requests if r.request_id == request_id), None)

    def active_memberships(self) -> list[Membership]:
        """Memberships that give access now: none unless the account is active."""
        if self.status is not AccountStatus.ACTIVE:
            return []
        return [m for m in self.memberships if not m.revoked]

    def require(self, command: AccountCommand) -> None:
        """Refuse a command the account's status does not allow, saying why."""
        if command not in ALLOWED[self.status]:
            raise RuleBroken(f"cannot {command.value}: this account is {self.status.value}")


def _humanise(name: str) -> str:
    words = re.findall(r"[A-Z][a-z]*", name)
    return " ".join([words[0], *(w.lower() for w in words[1:])])


def audit_entry(event: Event) -> AuditEntry:
    """The audit line an account event leaves: who, when, what, where and why."""
    data = event.model_dump()
    actor = next((v for k, v in data.items() if k.endswith("_by")), data["user_id"])
    at = next(v for k, v in data.items() if k.endswith("_at") and k != "link_expires_at")
    reason = data.get("reason")
    if data.get("reason_text"):
        reason = f"{reason}: {data['reason_text']}"
    detail = None
    if isinstance(event, RolesChanged):
        detail = ", ".join(r.role for r in event.roles) or "no roles"
    elif isinstance(event, InvitationSent):
        detail = event.role
    elif isinstance(event, UserClustersChanged):
        detail = ", ".join(event.cluster_ids) or "no clusters"
    return AuditEntry(
        at=at,
        actor=actor,
        action=_humanise(event.name),
        organisation=data.get("organisation_ods_code"),
        reason=reason,
        detail=detail,
    )


def roles_held(roles: Sequence[RoleAssignment]) -> list[RoleHeld]:
    """Roles as events carry them."""
    return [RoleHeld(role=r.role.value, payment_types=list(r.payment_types)) for r in roles]


def given_reason(reason: str) -> str:
    """A reason with its spaces trimmed, refused when empty: the person is told it."""
    text = reason.strip()
    if not text:
        raise RuleBroken("give a reason; the person is emailed it", field="reason")
    return text
