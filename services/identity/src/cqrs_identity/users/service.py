"""Account use cases on existing users: roles, clusters, revoke, enable, disable, preferences,
the user list and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel

from cqrs_identity.access import Caller
from cqrs_identity.actor import grants_of
from cqrs_identity.context import Context
from cqrs_identity.errors import NotAllowed, RuleBroken
from cqrs_identity.onboarding.service import load, save
from cqrs_identity.store import LoginAudit, RefreshTokens
from cqrs_identity.users import account_access
from cqrs_identity.users.accounts import (
    AccessRequest,
    Account,
    AccountStatus,
    Membership,
    Preferences,
    RequestKind,
    RequestStatus,
)
from cqrs_identity.users.listing import AuditFilter, UserFilter, filter_audit, filter_users
from cqrs_identity.users.roles import (
    ADMINISTRATOR_ROLES,
    USER_MANAGER_ROLES,
    Role,
    RoleAssignment,
    changed_roles,
    check_grants,
    check_role_set,
    grant_refusal,
)
from cqrs_kit.grants import Grant
from cqrs_kit.preconditions import check


def _manage(caller: Caller, organisation: str, doing: str) -> None:
    caller.actor.require(USER_MANAGER_ROLES, organisation, doing=doing)


def _held(account: Account, *, live_only: bool) -> list[tuple[str, list[RoleAssignment]]]:
    """Where the account has (or, awaiting completion, was granted) access, with the roles there.

    Requests still waiting for a decision never count: asking for access at an organisation gives
    its administrators no power over the account."""
    held = [(m.organisation, list(m.roles)) for m in account.memberships if not (live_only and m.revoked)]
    if account.status is not AccountStatus.ACTIVE:
        held += [
            (r.organisation, list(r.granted_roles))
            for r in account.requests
            if r.status is RequestStatus.APPROVED and r.kind is not RequestKind.ACCESS
        ]
    return held


def _manages_account(caller: Caller, account: Account) -> bool:
    """Whether the caller manages users at one organisation the account has (or had) access at."""
    return any(caller.actor.holds(USER_MANAGER_ROLES, org) for org, _ in _held(account, live_only=False))


def _may_remove(caller: Caller, user_id: str, organisation: str, roles: Sequence[RoleAssignment]) -> None:
    """The role-grant matrix: one grant of the caller may remove every one of these roles here."""
    check_grants(
        caller.actor.grants,
        caller.actor.reaches,
        organisation,
        roles,
        actor_id=caller.actor.user_id,
        user_id=user_id,
    )


def require_account_wide(caller: Caller, account: Account, doing: str) -> None:
    """Disable and enable act on the whole account, so they need a role that covers ALL of it:
    for every organisation the account has live access at, the caller manages users there and
    may (by the role-grant matrix) remove every role held there. An account left with no live
    access is judged on the organisations that revoked it; one with no access ever, only by an
    Advanced User Administrator."""
    held = _held(account, live_only=True) or _held(account, live_only=False)
    if not held:
        if not caller.actor.organisations_where({Role.ADVANCED_USER_ADMINISTRATOR}):
            raise NotAllowed(
                f"to {doing} of an account with no access anywhere, "
                "you must be an Advanced User Administrator",
                field="user_id",
            )
        return
    for organisation, roles in held:
        refusal = caller.actor.view.refusal(caller.actor.grants, set(USER_MANAGER_ROLES), organisation)
        if refusal is None:
            refusal = next(
                (
                    r
                    for role in roles
                    if (r := grant_refusal(caller.actor.grants, caller.actor.reaches, organisation, role))
                ),
                None,
            )
        if refusal is not None:
            raise NotAllowed(
                f"to {doing} you must be able to manage every organisation this account has access "
                f"at, and every role held there; at {organisation}: {refusal}",
                field="user_id",
            )


async def change_roles(
    ctx: Context,
    caller: Caller,
    user_id: str,
    organisation: str,
    roles: Sequence[RoleAssignment],
    *,
    if_match: int | None = None,
) -> Account:
    """Set a user's roles at one organisation, within what the caller may grant; ``if_match`` is
    the version the edit was made from (412 when someone changed the account since)."""
    account = await load(ctx, user_id)
    _manage(caller, organisation, "change roles")
    check_role_set(roles, caller.tree.get(organisation).kind)
    member = account.membership(organisation)
    changes = changed_roles(member.roles if member else [], roles)
    check_grants(
        caller.actor.grants,
        caller.actor.reaches,
        organisation,
        changes,
        actor_id=caller.actor.user_id,
        user_id=user_id,
    )
    if if_match is not None:
        check(if_match, account.version, "user")
    events = account_access.change_roles(
        account, organisation=organisation, roles=roles, actor=caller.actor.user_id, now=ctx.now
    )
    return await save(ctx, account, events)


async def assign_clusters(
    ctx: Context,
    caller: Caller,
    user_id: str,
    organisation: str,
    cluster_ids: Sequence[str],
    *,
    if_match: int | None = None,
) -> Account:
    """Limit a user at an organisation to some of that organisation's clusters (``if_match``:
    the version the edit was made from)."""
    account = await load(ctx, user_id)
    _manage(caller, organisation, "assign clusters")
    if user_id == caller.actor.user_id:
        raise NotAllowed("you cannot change your own clusters", field="cluster_ids")
    member = account.membership(organisation)
    _may_remove(caller, user_id, organisation, member.roles if member else [])
    clusters = await ctx.stores.clusters.find({"_id": {"$in": sorted(set(cluster_ids))}})
    known = {c.cluster_id for c in clusters if c.organisation == organisation}
    unknown = [c for c in cluster_ids if c not in known]
    if unknown:
        raise RuleBroken(f"{', '.join(unknown)} is not a cluster of {organisation}", field="cluster_ids")
    if if_match is not None:
        check(if_match, account.version, "user")
    events = account_access.assign_clusters(
        account, organisation=organisation, cluster_ids=cluster_ids, actor=caller.actor.user_id, now=ctx.now
    )
    return await save(ctx, account, events)


async def revoke(ctx: Context, caller: Caller, user_id: str, organisation: str) -> Account:
    """Remove all of a user's access at one organisation; they can still log in elsewhere."""
    account = await load(ctx, user_id)
    _manage(caller, organisation, "revoke access")
    member = account.membership(organisation)
    _may_remove(caller, user_id, organisation, member.roles if member else [])
    events = account_access.revoke_access(
        account, organisation=organisation, actor=caller.actor.user_id, now=ctx.now
    )
    return await save(ctx, account, events)


async def enable(ctx: Context, caller: Caller, user_id: str, organisation: str | None) -> Account:
    """Enable Account: give back revoked access at an organisation, or re-enable a disabled
    account (when no organisation is named)."""
    account = await load(ctx, user_id)
    if organisation is not None:
        _manage(caller, organisation, "enable access")
        member = account.membership(organisation)
        _may_remove(caller, user_id, organisation, member.roles if member else [])
        events = account_access.restore_access(
            account, organisation=organisation, actor=caller.actor.user_id, now=ctx.now
        )
    else:
        require_account_wide(caller, account, "enable the account")
        events = account_access.enable(account, actor=caller.actor.user_id, now=ctx.now)
    return await save(ctx, account, events)


async def disable(
    ctx: Context, caller: Caller, user_id: str, reason: str, reason_text: str | None
) -> Account:
    """Disable an account, the user's own or (as an administrator) another's."""
    account = caller.account if user_id == caller.actor.user_id else await load(ctx, user_id)
    if account.user_id != caller.actor.user_id:
        require_account_wide(caller, account, "disable the account")
    events = account_access.disable(
        account, reason=reason, reason_text=reason_text, actor=caller.actor.user_id, now=ctx.now
    )
    saved = await save(ctx, account, events)
    await RefreshTokens(ctx.runtime).revoke_user(user_id)
    return saved


async def change_preferences(ctx: Context, caller: Caller, preferences: Preferences) -> Account:
    """The caller chooses which emails they want."""
    ctx.actor_id = caller.actor.user_id
    events = account_access.change_preferences(caller.account, preferences, ctx.now)
    return await save(ctx, caller.account, events)


class UserView(BaseModel):
    """A user as administrators and the user themself see them (never the password hash)."""

    user_id: str
    email: str
    first_name: str
    last_name: str
    status: AccountStatus
    memberships: list[Membership]
    disabled_reason: str | None
    preferences: Preferences
    version: int


class Profile(UserView):
    """My Profile: the user's own view, with the grants their access token carries and the
    invitations waiting for them to accept."""

    grants: list[Grant]
    invitations: list[AccessRequest]


def view(account: Account) -> UserView:
    """What may be shown of an account."""
    return UserView.model_validate(account.model_dump())


async def profile(ctx: Context, caller: Caller) -> Profile:
    """The caller's own profile."""
    return Profile(
        **view(caller.account).model_dump(),
        grants=list(grants_of(caller.account)),
        invitations=caller.account.pending_invitations(),
    )


async def users(
    ctx: Context, caller: Caller, organisation: str | None, filters: UserFilter | None = None
) -> list[UserView]:
    """Users at the organisations the caller manages (optionally one of them), searched by name
    or email, filtered by status and role, sorted."""
    if organisation is not None:
        _manage(caller, organisation, "list users")
        wanted = [organisation]
    else:
        wanted = sorted(caller.actor.organisations_where(USER_MANAGER_ROLES))
    if not wanted:
        raise NotAllowed("listing users is for User Administrators and Local Administrators")
    found = await ctx.stores.accounts.find({"member_organisations": {"$in": wanted}})
    return filter_users((view(a) for a in found), filters or UserFilter(), wanted)


async def user(ctx: Context, caller: Caller, user_id: str) -> UserView:
    """One user, for themself or an administrator of one of their organisations."""
    if user_id == caller.actor.user_id:
        return view(caller.account)
    account = await load(ctx, user_id)
    if not _manages_account(caller, account):
        raise NotAllowed("you may only see users at organisations you manage", field="user_id")
    return view(account)


LOGIN_ACTIONS = {
    "logged in": "Logged in",
    "failed": "Login failed",
    "locked out": "Login locked out",
    "refused": "Login refused",
}
"""How each login outcome reads in the audit trail."""


class AuditLine(BaseModel):
    """One entry of the audit trail, naming the user it is about."""

    user_id: str
    email: str
    at: dt.datetime
    actor: str
    action: str
    organisation: str | None
    reason: str | None
    detail: str | None


async def audit(ctx: Context, caller: Caller, wanted: AuditFilter) -> list[AuditLine]:
    """Account actions and logins of users of the caller's organisations, newest first
    (administrators), filtered by date range, actor and subject."""
    user_id = wanted.subject
    admin_at = caller.actor.organisations_where(ADMINISTRATOR_ROLES)
    if not admin_at:
        raise NotAllowed("the audit trail is for administrators")
    query: dict[str, object] = {"member_organisations": {"$in": sorted(admin_at)}}
    if user_id is not None:
        query["_id"] = user_id
    accounts = await ctx.stores.accounts.find(query)
    lines = [
        AuditLine(user_id=a.user_id, email=a.email, **e.model_dump())
        for a in accounts
        for e in a.history
        if e.organisation is None or e.organisation in admin_at
    ]
    emails = {a.user_id: a.email for a in accounts}
    lines += [
        AuditLine(
            user_id=doc["user_id"],
            email=emails[doc["user_id"]],
            at=doc["at"],
            actor=doc["user_id"],
            action=LOGIN_ACTIONS.get(doc["outcome"], doc["outcome"]),
            organisation=None,
            reason=None,
            detail=f"from {doc['address']}",
        )
        for doc in await LoginAudit(ctx.runtime).of_users(sorted(emails))
    ]
    return filter_audit(lines, wanted)
