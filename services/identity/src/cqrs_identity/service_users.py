"""Account use cases on existing users: roles, clusters, revoke, enable, disable, preferences,
the user list and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel

from cqrs_identity.access import Caller
from cqrs_identity.actor import grants_of
from cqrs_identity.context import Context
from cqrs_identity.domain import account_access
from cqrs_identity.domain.accounts import Account, AccountStatus, Membership, Preferences
from cqrs_identity.domain.errors import NotAllowed, RuleBroken
from cqrs_identity.domain.roles import (
    ADMINISTRATOR_ROLES,
    USER_MANAGER_ROLES,
    RoleAssignment,
    changed_roles,
    check_grants,
    check_role_set,
)
from cqrs_identity.service_accounts import load, save
from cqrs_identity.store import RefreshTokens
from cqrs_kit.grants import Grant


def _manage(caller: Caller, organisation: str, doing: str) -> None:
    caller.actor.require(USER_MANAGER_ROLES, organisation, doing=doing)


def _manages_account(caller: Caller, account: Account) -> bool:
    return any(caller.actor.holds(USER_MANAGER_ROLES, org) for org in account.organisations)


async def change_roles(
    ctx: Context, caller: Caller, user_id: str, organisation: str, roles: Sequence[RoleAssignment]
) -> Account:
    """Set a user's roles at one organisation, within what the caller may grant."""
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
    events = account_access.change_roles(
        account, organisation=organisation, roles=roles, actor=caller.actor.user_id, now=ctx.now
    )
    return await save(ctx, account, events)


async def assign_clusters(
    ctx: Context, caller: Caller, user_id: str, organisation: str, cluster_ids: Sequence[str]
) -> Account:
    """Limit a user at an organisation to some of that organisation's clusters."""
    account = await load(ctx, user_id)
    _manage(caller, organisation, "assign clusters")
    if user_id == caller.actor.user_id:
        raise NotAllowed("you cannot change your own clusters", field="cluster_ids")
    clusters = await ctx.stores.clusters.find({"_id": {"$in": sorted(set(cluster_ids))}})
    known = {c.cluster_id for c in clusters if c.organisation == organisation}
    unknown = [c for c in cluster_ids if c not in known]
    if unknown:
        raise RuleBroken(f"{', '.join(unknown)} is not a cluster of {organisation}", field="cluster_ids")
    events = account_access.assign_clusters(
        account, organisation=organisation, cluster_ids=cluster_ids, actor=caller.actor.user_id, now=ctx.now
    )
    return await save(ctx, account, events)


async def revoke(ctx: Context, caller: Caller, user_id: str, organisation: str) -> Account:
    """Remove all of a user's access at one organisation; they can still log in elsewhere."""
    account = await load(ctx, user_id)
    _manage(caller, organisation, "revoke access")
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
        events = account_access.restore_access(
            account, organisation=organisation, actor=caller.actor.user_id, now=ctx.now
        )
    else:
        if not _manages_account(caller, account):
            raise NotAllowed("you may only enable accounts of users at your organisations", field="user_id")
        events = account_access.enable(account, actor=caller.actor.user_id, now=ctx.now)
    return await save(ctx, account, events)


async def disable(
    ctx: Context, caller: Caller, user_id: str, reason: str, reason_text: str | None
) -> Account:
    """Disable an account, the user's own or (as an administrator) another's."""
    account = caller.account if user_id == caller.actor.user_id else await load(ctx, user_id)
    if account.user_id != caller.actor.user_id and not _manages_account(caller, account):
        raise NotAllowed("you may only disable accounts of users at your organisations", field="user_id")
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


class Profile(UserView):
    """My Profile: the user's own view, with the grants their access token carries."""

    grants: list[Grant]


def view(account: Account) -> UserView:
    """What may be shown of an account."""
    return UserView.model_validate(account.model_dump())


async def profile(ctx: Context, caller: Caller) -> Profile:
    """The caller's own profile."""
    return Profile(**view(caller.account).model_dump(), grants=list(grants_of(caller.account)))


async def users(ctx: Context, caller: Caller, organisation: str | None) -> list[UserView]:
    """Users at the organisations the caller manages (optionally one of them)."""
    if organisation is not None:
        _manage(caller, organisation, "list users")
        wanted = [organisation]
    else:
        wanted = sorted(caller.actor.organisations_where(USER_MANAGER_ROLES))
    if not wanted:
        raise NotAllowed("listing users is for User Administrators and Local Administrators")
    found = await ctx.stores.accounts.find({"organisations": {"$in": wanted}})
    return sorted((view(a) for a in found), key=lambda u: (u.last_name, u.first_name))


async def user(ctx: Context, caller: Caller, user_id: str) -> UserView:
    """One user, for themself or an administrator of one of their organisations."""
    if user_id == caller.actor.user_id:
        return view(caller.account)
    account = await load(ctx, user_id)
    if not _manages_account(caller, account):
        raise NotAllowed("you may only see users at organisations you manage", field="user_id")
    return view(account)


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


async def audit(ctx: Context, caller: Caller, user_id: str | None) -> list[AuditLine]:
    """Account actions on users of the caller's organisations, newest first (administrators)."""
    admin_at = caller.actor.organisations_where(ADMINISTRATOR_ROLES)
    if not admin_at:
        raise NotAllowed("the audit trail is for administrators")
    query: dict[str, object] = {"organisations": {"$in": sorted(admin_at)}}
    if user_id is not None:
        query["_id"] = user_id
    lines = [
        AuditLine(user_id=a.user_id, email=a.email, **e.model_dump())
        for a in await ctx.stores.accounts.find(query)
        for e in a.history
        if e.organisation is None or e.organisation in admin_at
    ]
    return sorted(lines, key=lambda line: line.at, reverse=True)
