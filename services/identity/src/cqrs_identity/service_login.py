"""Logging in: throttled password checks, short-lived access tokens, rotated refresh tokens."""

from __future__ import annotations

import datetime as dt
import math

from pydantic import BaseModel

from cqrs_identity import passwords
from cqrs_identity import settings as identity_settings
from cqrs_identity.access import (
    DISABLED_MESSAGE,
    keyring,
    token_claims,
)
from cqrs_identity.context import Context
from cqrs_identity.domain import throttle
from cqrs_identity.domain.accounts import Account, AccountStatus
from cqrs_identity.store import LoginFailures, RefreshTokens
from cqrs_kit.errors import DomainError, Forbidden, Unauthorised

WRONG_CREDENTIALS = "the email address or password is not right"


class TooManyAttempts(DomainError):
    """Too many failed logins in a short time: the address is locked for a while."""

    status = 429
    title = "Too many failed logins"


class Tokens(BaseModel):
    """What a successful login or refresh returns."""

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


async def _tokens(ctx: Context, account: Account, family_id: str | None = None) -> Tokens:
    settings = identity_settings.of(ctx.runtime)
    access, lifetime = await keyring(ctx.runtime).access_token(token_claims(account), ctx.now)
    refresh_lifetime = settings.identity_refresh_token_seconds
    refresh = await RefreshTokens(ctx.runtime).issue(
        account.user_id, ctx.now + dt.timedelta(seconds=refresh_lifetime), family_id
    )
    return Tokens(
        access_token=access, expires_in=lifetime, refresh_token=refresh, refresh_expires_in=refresh_lifetime
    )


def _refuse_inactive(account: Account) -> None:
    if account.status is AccountStatus.DISABLED:
        raise Forbidden(DISABLED_MESSAGE)
    if account.status is not AccountStatus.ACTIVE:
        raise Forbidden(
            f"this account is {account.status.value}; finish registering from the "
            "link you were emailed before logging in"
        )


async def login(ctx: Context, email: str, password: str) -> Tokens:
    """Check the password (unless the address is locked) and issue tokens."""
    key = email.strip().lower()
    failures = LoginFailures(ctx.runtime)
    locked = throttle.locked_until(await failures.recent(key), ctx.now)
    if locked is not None:
        minutes = math.ceil((locked - ctx.now).total_seconds() / 60)
        raise TooManyAttempts(
            f"too many failed logins for this address; try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}"
        )
    account = await ctx.stores.account_by_email(key)
    if not await passwords.verify_password(account.password_hash if account else None, password):
        await failures.record(key, ctx.now)
        raise Unauthorised(WRONG_CREDENTIALS)
    assert account is not None
    assert account.password_hash is not None
    await failures.clear(key)
    _refuse_inactive(account)
    if passwords.needs_rehash(account.password_hash):
        ctx.actor_id = account.user_id
        rehashed = account.model_copy(update={"password_hash": await passwords.hash_password(password)})
        account = await ctx.stores.accounts.save(
            rehashed, [], correlation_id=ctx.correlation_id, actor=account.user_id
        )
    return await _tokens(ctx, account)


async def refresh(ctx: Context, refresh_token: str) -> Tokens:
    """Swap a refresh token for new tokens; the old one is spent, and the account re-read."""
    used = await RefreshTokens(ctx.runtime).use(refresh_token, ctx.now)
    if used is None:
        raise Unauthorised("this refresh token is not valid any more; log in again")
    account = await ctx.stores.accounts.get(used["user_id"])
    if account is None:
        raise Unauthorised("this refresh token names no account; log in again")
    if account.status is AccountStatus.DISABLED:
        raise Unauthorised(DISABLED_MESSAGE)
    _refuse_inactive(account)
    return await _tokens(ctx, account, used["family_id"])


async def logout(ctx: Context, refresh_token: str) -> None:
    """Stop a refresh token (and those rotated from it) working."""
    await RefreshTokens(ctx.runtime).revoke(refresh_token)
