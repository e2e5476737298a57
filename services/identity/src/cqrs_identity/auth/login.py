"""Logging in: throttled password checks (per account, per client address, per both), short-lived
access tokens, rotated refresh tokens within an absolute session lifetime, and every attempt in
the audit trail."""

from __future__ import annotations

import datetime as dt
import math

from pydantic import BaseModel

from cqrs_identity import settings as identity_settings
from cqrs_identity.access import DISABLED_MESSAGE, keyring, token_claims
from cqrs_identity.auth import passwords, throttle
from cqrs_identity.context import Context
from cqrs_identity.store import Attempts, LoginAudit, RefreshTokens
from cqrs_identity.users.accounts import Account, AccountStatus
from cqrs_kit.errors import Forbidden, TooManyRequests, Unauthorised
from cqrs_kit.logs import get_logger

log = get_logger(__name__)

WRONG_CREDENTIALS = "the email address or password is not right"


class Tokens(BaseModel):
    """What a successful login or refresh returns."""

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


def _session_end(ctx: Context) -> dt.datetime:
    hours = identity_settings.of(ctx.runtime).identity_session_hours
    return ctx.now + dt.timedelta(hours=hours)


async def _tokens(
    ctx: Context, account: Account, session_ends_at: dt.datetime, family_id: str | None = None
) -> Tokens:
    settings = identity_settings.of(ctx.runtime)
    access, lifetime = await keyring(ctx.runtime).access_token(token_claims(account), ctx.now)
    expires = min(ctx.now + dt.timedelta(seconds=settings.identity_refresh_token_seconds), session_ends_at)
    refresh = await RefreshTokens(ctx.runtime).issue(account.user_id, expires, family_id, session_ends_at)
    return Tokens(
        access_token=access,
        expires_in=lifetime,
        refresh_token=refresh,
        refresh_expires_in=max(0, int((expires - ctx.now).total_seconds())),
    )


def _refuse_inactive(account: Account) -> None:
    if account.status is AccountStatus.DISABLED:
        raise Forbidden(DISABLED_MESSAGE)
    if account.status is not AccountStatus.ACTIVE:
        raise Forbidden(
            f"this account is {account.status.value}; finish registering from the "
            "link you were emailed before logging in"
        )


def _keys(email_key: str, address: str) -> dict[str, str]:
    return {
        "pair": f"login:pair:{email_key}|{address}",
        "address": f"login:address:{address}",
        "account": f"login:account:{email_key}",
    }


async def _refuse_if_locked(ctx: Context, keys: dict[str, str]) -> None:
    attempts = Attempts(ctx.runtime)
    until = throttle.first_lock(
        [
            (await attempts.recent(keys["pair"]), throttle.LOGIN_PAIR),
            (await attempts.recent(keys["address"]), throttle.LOGIN_ADDRESS),
            (await attempts.recent(keys["account"]), throttle.LOGIN_ACCOUNT),
        ],
        ctx.now,
    )
    if until is not None:
        seconds = math.ceil((until - ctx.now).total_seconds())
        minutes = math.ceil(seconds / 60)
        raise TooManyRequests(
            f"too many failed logins; try again in {minutes} minute{'s' if minutes != 1 else ''}",
            retry_after=seconds,
        )


async def login(ctx: Context, email: str, password: str, address: str) -> Tokens:
    """Check the password (unless throttled) and issue tokens; every attempt is audited."""
    key = email.strip().lower()
    keys = _keys(key, address)
    audit = LoginAudit(ctx.runtime)
    account = await ctx.stores.account_by_email(key)
    user_id = account.user_id if account else None
    try:
        await _refuse_if_locked(ctx, keys)
    except TooManyRequests:
        await audit.record(at=ctx.now, email_key=key, user_id=user_id, address=address, outcome="locked out")
        log.warning("login refused: throttled", user_id=user_id, address=address)
        raise
    if not await passwords.verify_password(account.password_hash if account else None, password):
        attempts = Attempts(ctx.runtime)
        for k in keys.values():
            await attempts.record(k, ctx.now)
        await audit.record(at=ctx.now, email_key=key, user_id=user_id, address=address, outcome="failed")
        log.info("login failed", user_id=user_id, address=address)
        raise Unauthorised(WRONG_CREDENTIALS)
    assert account is not None
    assert account.password_hash is not None
    await Attempts(ctx.runtime).clear(keys["pair"])
    if account.status is not AccountStatus.ACTIVE:
        await audit.record(at=ctx.now, email_key=key, user_id=user_id, address=address, outcome="refused")
    _refuse_inactive(account)
    if passwords.needs_rehash(account.password_hash):
        ctx.actor_id = account.user_id
        rehashed = account.model_copy(update={"password_hash": await passwords.hash_password(password)})
        account = await ctx.stores.accounts.save(
            rehashed, [], correlation_id=ctx.correlation_id, actor=account.user_id
        )
    await audit.record(at=ctx.now, email_key=key, user_id=user_id, address=address, outcome="logged in")
    log.info("login succeeded", user_id=user_id, address=address)
    return await _tokens(ctx, account, _session_end(ctx))


async def refresh(ctx: Context, refresh_token: str) -> Tokens:
    """Swap a refresh token for new tokens within the session's absolute lifetime; the old one is
    spent, and the account re-read."""
    used = await RefreshTokens(ctx.runtime).use(refresh_token, ctx.now)
    if used is None:
        raise Unauthorised("this refresh token is not valid any more; log in again")
    session_ends_at: dt.datetime = used.get("session_ends_at") or used["expires_at"]
    if session_ends_at.tzinfo is None:
        session_ends_at = session_ends_at.replace(tzinfo=dt.UTC)
    if session_ends_at <= ctx.now:
        raise Unauthorised("your session has reached its time limit; log in again")
    account = await ctx.stores.accounts.get(used["user_id"])
    if account is None:
        raise Unauthorised("this refresh token names no account; log in again")
    if account.status is AccountStatus.DISABLED:
        raise Unauthorised(DISABLED_MESSAGE)
    _refuse_inactive(account)
    log.info("session refreshed", user_id=account.user_id)
    return await _tokens(ctx, account, session_ends_at, used["family_id"])


async def logout(ctx: Context, refresh_token: str) -> None:
    """Stop a refresh token (and those rotated from it) working."""
    await RefreshTokens(ctx.runtime).revoke(refresh_token)
    log.info("logged out")
