"""Login routes: log in, refresh, log out, and the JWKS other services verify tokens with."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response, status
from pydantic import BaseModel, ConfigDict

from cqrs_identity.access import keyring
from cqrs_identity.api_common import Email, Secret, context
from cqrs_identity.auth import login as service_login
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
    """Log in: a short-lived access token and a refresh token. Repeated failures are throttled;
    a disabled account is refused with a message saying so."""
    return await service_login.login(context(request, runtime), body.email, body.password)


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
