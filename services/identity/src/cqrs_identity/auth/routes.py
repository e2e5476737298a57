"""Login routes: log in, refresh, log out, and the JWKS other services verify tokens with."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response, status
from pydantic import BaseModel, ConfigDict

from cqrs_identity.access import CallerDep, keyring
from cqrs_identity.api_common import Email, Secret, client_address, context
from cqrs_identity.auth import login as service_login
from cqrs_identity.auth import reset
from cqrs_identity.auth.login import Tokens
from cqrs_identity.routing import router as make_router
from cqrs_kit.runtime import RuntimeDep

router = make_router("login")


class LoginBody(BaseModel):
    """Email address and password."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Secret


class RefreshBody(BaseModel):
    """A refresh token from an earlier login or refresh."""

    model_config = ConfigDict(extra="forbid")

    refresh_token: Secret


@router.post("/login")
async def login(body: LoginBody, request: Request, runtime: RuntimeDep) -> Tokens:
    """Log in: a short-lived access token and a refresh token. Failures are throttled per account,
    per client address and per both (429 with Retry-After); a disabled account is refused with a
    message saying so. Every attempt is in the audit trail."""
    return await service_login.login(
        context(request, runtime), body.email, body.password, client_address(request)
    )


@router.post("/token/refresh")
async def refresh(body: RefreshBody, request: Request, runtime: RuntimeDep) -> Tokens:
    """Swap a refresh token for new tokens (the old one stops working)."""
    return await service_login.refresh(context(request, runtime), body.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(body: RefreshBody, request: Request, runtime: RuntimeDep) -> Response:
    """Stop a refresh token working."""
    await service_login.logout(context(request, runtime), body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/.well-known/jwks.json")
async def jwks(runtime: RuntimeDep) -> dict[str, Any]:
    """The public keys every service verifies identity's access tokens with."""
    return await keyring(runtime).jwks()


class ResetRequest(BaseModel):
    """The address to send a reset link to."""

    model_config = ConfigDict(extra="forbid")

    email: Email


class ResetCompletion(BaseModel):
    """The token from the emailed link, and the new password."""

    model_config = ConfigDict(extra="forbid")

    token: Secret
    password: Secret


class PasswordChange(BaseModel):
    """Your current password and the new one."""

    model_config = ConfigDict(extra="forbid")

    current_password: Secret
    new_password: Secret


class Accepted(BaseModel):
    """The request was taken; what happens next is said in words."""

    message: str


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED)
async def ask_for_reset(body: ResetRequest, request: Request, runtime: RuntimeDep) -> Accepted:
    """Ask for a password-reset link. The answer is the same whether or not the address has an
    account; requests are throttled per client address (429 with Retry-After)."""
    await reset.request_reset(context(request, runtime), body.email, client_address(request))
    return Accepted(message=reset.RESET_ANSWER)


@router.post("/password-reset/complete", status_code=status.HTTP_204_NO_CONTENT)
async def complete_reset(body: ResetCompletion, request: Request, runtime: RuntimeDep) -> Response:
    """Choose a new password from the emailed link (it works once); every session ends."""
    await reset.complete_reset(context(request, runtime), body.token, body.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/users/me/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(
    body: PasswordChange, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> Response:
    """Change your password (your current one is required); your other sessions end."""
    await reset.change(context(request, runtime, caller), caller, body.current_password, body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/users/{user_id}/password-reset", status_code=status.HTTP_202_ACCEPTED)
async def administrator_reset(
    user_id: str, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> Accepted:
    """Send a user a password-reset link (needs the same authority as disabling their account)."""
    await reset.administrator_reset(context(request, runtime, caller), caller, user_id)
    return Accepted(message="a password-reset link has been emailed to the user")
