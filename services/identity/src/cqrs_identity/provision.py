"""Making ready-to-use accounts without an administrator: the first administrator of a new
installation, demo users, and test users. Each is an invitation completed at once by the system,
so the audit trail and events say exactly that."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

from cqrs_contracts.events import Event
from cqrs_identity.access import organisation_tree
from cqrs_identity.auth import passwords
from cqrs_identity.context import Context
from cqrs_identity.errors import RuleBroken
from cqrs_identity.onboarding import registration
from cqrs_identity.onboarding.identity_rules import password_problem
from cqrs_identity.onboarding.service import save
from cqrs_identity.users import account_access
from cqrs_identity.users.account_fold import apply_all
from cqrs_identity.users.accounts import Account, Completion
from cqrs_identity.users.roles import RoleAssignment, check_role_set

_PROVISIONED = "provisioned"


async def provision_user(
    ctx: Context,
    *,
    email: str,
    first_name: str,
    last_name: str,
    password: str,
    roles: Mapping[str, Sequence[RoleAssignment]],
    clusters: Mapping[str, Sequence[str]] | None = None,
) -> Account:
    """An active account with these roles per organisation (and clusters), or the existing one
    unchanged when the email address already has an account."""
    existing = await ctx.stores.account_by_email(email)
    if existing is not None:
        return existing
    problem = password_problem(password, email)
    if problem:
        raise RuleBroken(problem, field="password")
    tree = await organisation_tree(ctx.runtime)
    for organisation, held in roles.items():
        check_role_set(held, tree.get(organisation).kind)
    if not roles or not all(roles.values()):
        raise RuleBroken("give every organisation at least one role", field="roles")
    person = registration.Person(email, first_name, last_name)
    user_id = str(uuid.uuid4())
    (first_org, first_roles), *others = roles.items()
    events: list[Event] = registration.invite(
        None,
        user_id=user_id,
        request_id=str(uuid.uuid4()),
        person=person,
        organisation=first_org,
        role=first_roles[0],
        actor=ctx.actor_id,
        link_expires_at=None,
        now=ctx.now,
    )
    account = apply_all(None, events).model_copy(
        update={
            "completion": Completion(token_hash=_PROVISIONED, expires_at=ctx.now + dt.timedelta(minutes=1))
        }
    )
    more = registration.complete_registration(account, token_hash=_PROVISIONED, now=ctx.now)
    account, events = apply_all(account, more), [*events, *more]
    for organisation, held in [(first_org, first_roles), *others]:
        step = account_access.change_roles(
            account, organisation=organisation, roles=held, actor=ctx.actor_id, now=ctx.now
        )
        account, events = apply_all(account, step) if step else account, [*events, *step]
    for organisation, cluster_ids in (clusters or {}).items():
        step = account_access.assign_clusters(
            account, organisation=organisation, cluster_ids=cluster_ids, actor=ctx.actor_id, now=ctx.now
        )
        account, events = apply_all(account, step) if step else account, [*events, *step]
    return await save(
        ctx, None, events, completion=None, password_hash=await passwords.hash_password(password)
    )
