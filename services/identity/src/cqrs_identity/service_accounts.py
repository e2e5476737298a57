"""Account use cases that bring people in: registration, Pending Actions, approval, rejection,
completion, invitations and access requests."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from urllib.parse import urlencode

from cqrs_contracts.events import Event
from cqrs_identity import passwords
from cqrs_identity import settings as identity_settings
from cqrs_identity.access import Caller, organisation_tree
from cqrs_identity.context import Context
from cqrs_identity.domain import account_access, registration
from cqrs_identity.domain.account_fold import apply_all
from cqrs_identity.domain.accounts import (
    Account,
    AccountStatus,
    Completion,
)
from cqrs_identity.domain.errors import RuleBroken, Unknown
from cqrs_identity.domain.identity_rules import password_problem
from cqrs_identity.domain.roles import (
    USER_MANAGER_ROLES,
    Role,
    RoleAssignment,
    check_grants,
    check_role_set,
)
from cqrs_identity.store import new_token, token_hash


async def save(ctx: Context, account: Account | None, events: Sequence[Event], **state: object) -> Account:
    """Fold events into the account, set state-only fields, and save both atomically."""
    if not events:
        assert account is not None
        return account
    folded = apply_all(account, list(events))
    if state:
        folded = folded.model_copy(update=state)
    return await ctx.stores.accounts.save(
        folded, events, correlation_id=ctx.correlation_id, actor=ctx.actor_id
    )


async def load(ctx: Context, user_id: str) -> Account:
    """One account, or Unknown."""
    account = await ctx.stores.accounts.get(user_id)
    if account is None:
        raise Unknown(f"there is no user {user_id}", field="user_id")
    return account


def _link(ctx: Context, purpose: str) -> tuple[str, str, dt.datetime, Completion]:
    """A single-use completion link: the raw token (in the URL) and the hash kept."""
    settings = identity_settings.of(ctx.runtime)
    token = new_token()
    expires = ctx.now + dt.timedelta(hours=settings.identity_link_hours)
    url = f"{settings.identity_public_url}/{purpose}?{urlencode({'token': token})}"
    return token, url, expires, Completion(token_hash=token_hash(token), expires_at=expires)


async def register(
    ctx: Context, *, email: str, first_name: str, last_name: str, organisation: str, role: Role | None
) -> Account:
    """A person registers; the request waits in the administrators' Pending Actions."""
    person = registration.Person(email, first_name, last_name)
    tree = await organisation_tree(ctx.runtime)
    org = tree.get(organisation)
    if role is not None:
        check_role_set([RoleAssignment(role=role)], org.kind)
    account = await ctx.stores.account_by_email(person.email)
    user_id = account.user_id if account else str(uuid.uuid4())
    events = registration.register(
        account,
        user_id=user_id,
        request_id=str(uuid.uuid4()),
        person=person,
        organisation=organisation,
        role=role.value if role else None,
        now=ctx.now,
    )
    return await save(ctx, account, events)


def _manage(caller: Caller, organisation: str, doing: str) -> None:
    caller.actor.require(USER_MANAGER_ROLES, organisation, doing=doing)


def _grantable(caller: Caller, user_id: str, organisation: str, roles: Sequence[RoleAssignment]) -> None:
    check_role_set(roles, caller.tree.get(organisation).kind)
    check_grants(
        caller.actor.grants,
        caller.actor.reaches,
        organisation,
        roles,
        actor_id=caller.actor.user_id,
        user_id=user_id,
    )


def _default_roles(requested: str | None, roles: Sequence[RoleAssignment] | None) -> list[RoleAssignment]:
    if roles is not None:
        return list(roles)
    return [RoleAssignment(role=Role(requested))] if requested else []


async def approve_registration(
    ctx: Context, caller: Caller, user_id: str, roles: Sequence[RoleAssignment] | None
) -> Account:
    """Approve: the person is sent a single-use link (an event; notifications emails it)."""
    account = await load(ctx, user_id)
    req = registration.pending_registration(account)
    _manage(caller, req.organisation, "approve registrations")
    granted = _default_roles(req.requested_role, roles)
    _grantable(caller, user_id, req.organisation, granted)
    _, url, expires, completion = _link(ctx, "complete-registration")
    events = registration.approve_registration(
        account,
        roles=granted,
        actor=caller.actor.user_id,
        completion_url=url,
        link_expires_at=expires,
        now=ctx.now,
    )
    return await save(ctx, account, events, completion=completion)


async def reject_registration(ctx: Context, caller: Caller, user_id: str, reason: str) -> Account:
    """Reject with a reason (the person is emailed it)."""
    account = await load(ctx, user_id)
    req = registration.pending_registration(account)
    _manage(caller, req.organisation, "reject registrations")
    events = registration.reject_registration(account, reason=reason, actor=caller.actor.user_id, now=ctx.now)
    return await save(ctx, account, events)


async def complete_registration(ctx: Context, token: str, password: str) -> Account:
    """Follow the link and choose a password: the account becomes active; the link is spent."""
    found = await ctx.stores.accounts.find({"completion.token_hash": token_hash(token)}, limit=1)
    if not found:
        raise RuleBroken(
            "this link is not valid or was already used; ask your administrator for a new one", field="token"
        )
    account = found[0]
    problem = password_problem(password, account.email)
    if problem:
        raise RuleBroken(problem, field="password")
    events = registration.complete_registration(account, token_hash=token_hash(token), now=ctx.now)
    ctx.actor_id = account.user_id
    return await save(
        ctx, account, events, password_hash=await passwords.hash_password(password), completion=None
    )


async def invite(
    ctx: Context,
    caller: Caller,
    *,
    email: str,
    first_name: str,
    last_name: str,
    organisation: str,
    role: RoleAssignment,
) -> Account:
    """Invite a person to a role at an organisation (new people get a completion link)."""
    person = registration.Person(email, first_name, last_name)
    _manage(caller, organisation, "invite users")
    account = await ctx.stores.account_by_email(person.email)
    user_id = account.user_id if account else str(uuid.uuid4())
    _grantable(caller, user_id, organisation, [role])
    _, url, expires, completion = _link(ctx, "complete-registration")
    events = registration.invite(
        account,
        user_id=user_id,
        request_id=str(uuid.uuid4()),
        person=person,
        organisation=organisation,
        role=role,
        actor=caller.actor.user_id,
        completion_url=url,
        link_expires_at=expires,
        now=ctx.now,
    )
    if account is not None and account.status is AccountStatus.ACTIVE:
        return await save(ctx, account, events)
    return await save(ctx, account, events, completion=completion)


async def request_access(ctx: Context, caller: Caller, organisation: str, role: Role | None) -> Account:
    """An existing user asks for access to another organisation."""
    org = caller.tree.get(organisation)
    if role is not None:
        check_role_set([RoleAssignment(role=role)], org.kind)
    events = account_access.request_access(
        caller.account,
        request_id=str(uuid.uuid4()),
        organisation=organisation,
        role=role.value if role else None,
        now=ctx.now,
    )
    return await save(ctx, caller.account, events)


async def _by_request(ctx: Context, request_id: str) -> Account:
    found = await ctx.stores.accounts.find({"requests.request_id": request_id}, limit=1)
    if not found:
        raise Unknown(f"there is no request {request_id}", field="request_id")
    return found[0]


async def review_access_request(
    ctx: Context,
    caller: Caller,
    request_id: str,
    *,
    approve: bool,
    roles: Sequence[RoleAssignment] | None = None,
    reason: str = "",
) -> Account:
    """Approve (with roles) or reject (with a reason) another user's access request."""
    account = await _by_request(ctx, request_id)
    req = account_access.pending_access_request(account, request_id)
    _manage(caller, req.organisation, "review access requests")
    if not approve:
        events = account_access.reject_access_request(
            account, request_id=request_id, reason=reason, actor=caller.actor.user_id, now=ctx.now
        )
        return await save(ctx, account, events)
    granted = _default_roles(req.requested_role, roles)
    _grantable(caller, account.user_id, req.organisation, granted)
    events = account_access.approve_access_request(
        account, request_id=request_id, roles=granted, actor=caller.actor.user_id, now=ctx.now
    )
    return await save(ctx, account, events)
