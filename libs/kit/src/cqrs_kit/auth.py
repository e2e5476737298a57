"""Verifying identity's access tokens against its JWKS, as a FastAPI dependency."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from jwt import PyJWK, PyJWKSet
from pydantic import BaseModel, Field

from cqrs_kit.errors import Unauthorised

JwksSource = Callable[[], Awaitable[dict[str, Any]]]
ALGORITHMS = ["RS256", "ES256", "EdDSA"]


class RoleGrant(BaseModel):
    """One role a user holds at one organisation, optionally limited to payment types."""

    organisation: str
    role: str
    payment_types: list[str] = Field(default_factory=list)


class Principal(BaseModel):
    """The verified caller: who they are, their roles, and the organisations they may act on."""

    user_id: str
    name: str = ""
    roles: list[RoleGrant] = Field(default_factory=list)
    scope: list[str] = Field(default_factory=list)

    def has_role(self, role: str, organisation: str | None = None) -> bool:
        """Whether the user holds the role (at the organisation, when one is given)."""
        return any(
            g.role == role and (organisation is None or g.organisation == organisation) for g in self.roles
        )

    def may_act_on(self, organisation: str) -> bool:
        """Whether the organisation lies in the user's effective scope (computed by identity)."""
        return organisation in self.scope


def jwks_from_url(url: str) -> JwksSource:
    """Fetch identity's published JWKS over HTTP."""

    async def fetch() -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(url)
            response.raise_for_status()
            body: dict[str, Any] = response.json()
            return body

    return fetch


class TokenVerifier:
    """Checks signature, expiry, issuer and audience; refreshes keys when an unknown key id appears."""

    def __init__(
        self, source: JwksSource, *, issuer: str, audience: str, refresh_seconds: float = 300.0
    ) -> None:
        self._source = source
        self._issuer = issuer
        self._audience = audience
        self._refresh = refresh_seconds
        self._keys: dict[str, PyJWK] = {}
        self._fetched = 0.0

    async def _key(self, kid: str) -> PyJWK:
        stale = time.monotonic() - self._fetched > self._refresh
        if kid not in self._keys or stale:
            try:
                keyset = PyJWKSet.from_dict(await self._source())
            except (httpx.HTTPError, jwt.PyJWTError) as exc:
                if kid in self._keys:
                    return self._keys[kid]
                raise Unauthorised("signing keys are unavailable; try again shortly") from exc
            self._keys = {k.key_id: k for k in keyset.keys if k.key_id}
            self._fetched = time.monotonic()
        if kid not in self._keys:
            raise Unauthorised("token signed by an unknown key")
        return self._keys[kid]

    async def verify(self, token: str) -> Principal:
        """Return the principal a valid token names, or raise Unauthorised saying why."""
        try:
            header = jwt.get_unverified_header(token)
            key = await self._key(str(header.get("kid", "")))
            claims = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorised("access token has expired; refresh it") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorised(f"invalid access token: {exc}") from exc
        return Principal(
            user_id=claims["sub"],
            name=claims.get("name", ""),
            roles=[RoleGrant.model_validate(r) for r in claims.get("roles", [])],
            scope=list(claims.get("scope_orgs", [])),
        )


async def current_user(request: Request) -> Principal:
    """FastAPI dependency: the verified caller from the `Authorization: Bearer` header."""
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise Unauthorised("this service has no token verifier configured")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorised("send an access token as `Authorization: Bearer <token>`")
    return await verifier.verify(token)


CurrentUser = Annotated[Principal, Depends(current_user)]
