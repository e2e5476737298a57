"""Passwords after registration: reset by an emailed single-use link (asked for by the owner, with
the same answer whether or not the address has an account, or by an administrator), and change
(the current password required). Either ends every session of the account."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from cqrs_contracts.events import Event
from cqrs_identity import settings as identity_settings
from cqrs_identity.access import Caller
from cqrs_identity.auth import passwords, throttle
from cqrs_identity.context import Context
from cqrs_identity.emails.links import RESET_PASSWORD, link_token
from cqrs_identity.emails.sending import link_key
from cqrs_identity.errors import NotAllowed, RuleBroken
from cqrs_identity.onboarding.identity_rules import password_problem
from cqrs_identity.onboarding.service import load, save
from cqrs_identity.store import Attempts, RefreshTokens, token_hash
from cqrs_identity.users import account_access
from cqrs_identity.users.accounts import Account, AccountStatus, Completion
from cqrs_identity.users.service import require_account_wide
from cqrs_kit.errors import TooManyRequests
from cqrs_kit.logs import get_logger

log = get_logger(__name__)

RESET_ANSWER = (
    "If this address belongs to an active CQRS account, we have emailed it a link to choose a new "
    "password. The link works once and expires in a few hours."
)


async def _throttle_address(ctx: Context, address: str) -> None:
    attempts = Attempts(ctx.runtime)
    key = f"reset:address:{address}"
    until = throttle.locked_until(await attempts.recent(key), ctx.now, throttle.RESET_ADDRESS)
    if until is not None:
        raise TooManyRequests(
            "too many password reset requests from here; try again later",
            retry_after=int((until - ctx.now).total_seconds()) + 1,
        )
    await attempts.record(key, ctx.now)


async def _send_reset(ctx: Context, account: Account, requested_by: str) -> Account:
    """Record the reset (the mail follows from the event) with the new link's hash."""
    hours = identity_settings.of(ctx.runtime).identity_link_hours
    reset_id = str(uuid.uuid4())
    token = link_token(await link_key(ctx.runtime), RESET_PASSWORD, reset_id)
    expires = ctx.now + dt.timedelta(hours=min(hours, 24))
    events = account_access.request_password_reset(
        account, reset_id=reset_id, requested_by=requested_by, link_expires_at=expires, now=ctx.now
    )
    link = Completion(token_hash=token_hash(token), expires_at=expires, nonce=reset_id)
    return await save(ctx, account, events, reset=link)


async def request_reset(ctx: Context, email: str, address: str) -> None:
    """Ask for a reset link. Nothing in the answer (or its timing class) depends on whether the
    address has an account: only active accounts are mailed, at most a few times an hour."""
    await _throttle_address(ctx, address)
    account = await ctx.stores.account_by_email(email)
    if account is None or account.status is not AccountStatus.ACTIVE:
        log.info("password reset asked for no active account")
        return
    attempts = Attempts(ctx.runtime)
    key = f"reset:account:{account.user_id}"
    if throttle.locked_until(await attempts.recent(key), ctx.now, throttle.RESET_ACCOUNT) is not None:
        log.info("password reset not mailed: too many for this account", user_id=account.user_id)
        return
    await attempts.record(key, ctx.now)
    ctx.actor_id = account.user_id
    await _send_reset(ctx, account, account.user_id)
    log.info("password reset requested", user_id=account.user_id)


async def administrator_reset(ctx: Context, caller: Caller, user_id: str) -> None:
    """An administrator sends a user a reset link; it needs the same authority as disabling them."""
    account = await load(ctx, user_id)
    if user_id == caller.actor.user_id:
        raise NotAllowed("reset your own password from My Profile or the login page", field="user_id")
    require_account_wide(caller, account, "reset the password")
    await _send_reset(ctx, account, caller.actor.user_id)
    log.info("password reset sent by an administrator", user_id=user_id, by=caller.actor.user_id)


async def _set_password(ctx: Context, account: Account, password: str, events: Sequence[Event]) -> Account:
    problem = password_problem(password, account.email)
    if problem:
        raise RuleBroken(problem, field="password")
    saved = await save(
        ctx,
        account,
        events,
        password_hash=await passwords.hash_password(password),
        reset=None,
    )
    await RefreshTokens(ctx.runtime).revoke_user(account.user_id)
    await Attempts(ctx.runtime).clear(f"login:account:{account.email_key}")
    return saved


async def complete_reset(ctx: Context, token: str, password: str) -> Account:
    """Follow the emailed link and choose a new password: the link is spent, sessions end."""
    found = await ctx.stores.accounts.find({"reset.token_hash": token_hash(token)}, limit=1)
    if not found:
        raise RuleBroken("this link is not valid or was already used; ask for a new one", field="token")
    account = found[0]
    ctx.actor_id = account.user_id
    events = account_access.reset_password(account, token_hash=token_hash(token), now=ctx.now)
    saved = await _set_password(ctx, account, password, events)
    log.info("password reset completed", user_id=account.user_id)
    return saved


async def change(ctx: Context, caller: Caller, current: str, new: str) -> Account:
    """Change your own password: the current one is required; other sessions end."""
    account = caller.account
    if not await passwords.verify_password(account.password_hash, current):
        raise RuleBroken("your current password is not right", field="current_password")
    if current == new:
        raise RuleBroken("choose a password different from your current one", field="new_password")
    ctx.actor_id = account.user_id
    try:
        saved = await _set_password(
            ctx, account, new, list(account_access.change_password(account, now=ctx.now))
        )
    except RuleBroken as exc:
        raise RuleBroken(exc.message, field="new_password") from exc
    log.info("password changed", user_id=account.user_id)
    return saved
