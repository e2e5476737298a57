"""Verifying identity's access tokens against its JWKS, as a FastAPI dependency.

A token names the user and carries their grants (see cqrs_kit.grants): never an expanded list of
organisations. Whether a grant allows an action is the Directory's question
(``runtime.directory.may``), not the token's.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jwt import PyJWK, PyJWKSet
from pydantic import BaseModel, Field

from cqrs_kit.errors import Unauthorised
from cqrs_kit.grants import Grant

__all__ = [
    "ALGORITHMS",
    "CurrentUser",
    "Grant",
    "JwksSource",
    "Principal",
    "TokenVerifier",
    "acting_name",
    "current_user",
    "grant_claims",
    "jwks_from_url",
    "static_jwks",
]

JwksSource = Callable[[], Awaitable[dict[str, Any]]]
ALGORITHMS = ["RS256", "ES256", "EdDSA"]

#: The verified caller of the request being served, so a save can record their name beside their id.
_acting: ContextVar[Principal | None] = ContextVar("cqrs_acting", default=None)


class Principal(BaseModel):
    """The verified caller: who they are and the grants their token carries."""

    user_id: str
    name: str = ""
    email: str = ""
    grants: list[Grant] = Field(default_factory=list)

    def holds(self, role: str, organisation: str | None = None) -> bool:
        """Whether the user holds the role at all (exactly at the organisation, when one is given).

        Not an authorisation check: ask ``runtime.directory.may`` for that.
        """
        return any(
            g.role == role and (organisation is None or g.organisation == organisation) for g in self.grants
        )


def grant_claims(grants: list[Grant]) -> list[dict[str, Any]]:
    """The ``grants`` claim of an access token: empty limits are left out to keep tokens small."""
    claims: list[dict[str, Any]] = []
    for g in grants:
        claim: dict[str, Any] = {"organisation": g.organisation, "role": g.role}
        if g.payment_types:
            claim["payment_types"] = list(g.payment_types)
        if g.cluster_ids:
            claim["cluster_ids"] = list(g.cluster_ids)
        claims.append(claim)
    return claims


def jwks_from_url(url: str) -> JwksSource:
    """Fetch identity's published JWKS over HTTP."""

    async def fetch() -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(url)
            response.raise_for_status()
            body: dict[str, Any] = response.json()
            return body

    return fetch


def static_jwks(document: str | dict[str, Any]) -> JwksSource:
    """A fixed JWKS (settings `CQRS_JWKS_JSON`; tests use it to trust cqrs_kit.testing's key)."""
    keys: dict[str, Any] = json.loads(document) if isinstance(document, str) else document

    async def fetch() -> dict[str, Any]:
        return keys

    return fetch


class TokenVerifier:
    """Checks signature, expiry, issuer and audience.

    Keys are fetched single-flight (concurrent requests wait for one fetch), refreshed every
    ``refresh_seconds``, and an unknown key id triggers a fetch at most once per
    ``min_interval_seconds``, so a flood of forged key ids cannot hammer identity.
    """

    def __init__(
        self,
        source: JwksSource,
        *,
        issuer: str,
        audience: str,
        refresh_seconds: float = 300.0,
        min_interval_seconds: float = 5.0,
    ) -> None:
        self._source = source
        self._issuer = issuer
        self._audience = audience
        self._refresh = refresh_seconds
        self._min_interval = min_interval_seconds
        self._keys: dict[str, PyJWK] = {}
        self._fetched: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    def _age(self) -> float:
        return float("inf") if self._fetched is None else time.monotonic() - self._fetched

    async def _fetch(self, kid: str) -> None:
        async with self._lock:  # single flight: whoever waited here finds the fresh keys
            wanted = kid not in self._keys and self._age() >= self._min_interval
            if not wanted and self._age() < self._refresh:
                return
            self._fetched = time.monotonic()
            self.fetches += 1
            try:
                keyset = PyJWKSet.from_dict(await self._source())
            except (httpx.HTTPError, jwt.PyJWTError) as exc:
                if not self._keys:
                    raise Unauthorised("signing keys are unavailable; try again shortly") from exc
                return
            self._keys = {k.key_id: k for k in keyset.keys if k.key_id}

    async def _key(self, kid: str) -> PyJWK:
        if kid not in self._keys or self._age() >= self._refresh:
            await self._fetch(kid)
        if not self._keys:
            raise Unauthorised("signing keys are unavailable; try again shortly")
        if kid not in self._keys:
            raise Unauthorised("token signed by an unknown key", invalid_token=True)
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
            raise Unauthorised("access token has expired; refresh it", invalid_token=True) from exc
        except jwt.PyJWTError as exc:
            raise Unauthorised(f"invalid access token: {exc}", invalid_token=True) from exc
        return Principal(
            user_id=claims["sub"],
            name=claims.get("name", ""),
            email=claims.get("email", ""),
            grants=[Grant.model_validate(g) for g in claims.get("grants", [])],
        )


_bearer = HTTPBearer(auto_error=False, description="An access token from identity's POST /login")
"""Matches cqrs_kit.route_guard.BEARER_SCHEME."""


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """FastAPI dependency: the verified caller from the `Authorization: Bearer` header."""
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorised("send an access token as `Authorization: Bearer <token>`")
    if verifier is None:
        raise Unauthorised("this service has no token verifier configured")
    principal = await verifier.verify(credentials.credentials)
    request.state.principal = principal
    _acting.set(principal)
    return principal


def acting_name(user_id: str | None) -> str | None:
    """The name the token of the request being served gives ``user_id``, when that user is the
    caller (None otherwise: a system actor, a consumer, another user)."""
    principal = _acting.get()
    if user_id is None or principal is None or principal.user_id != user_id:
        return None
    return principal.name or None


CurrentUser = Annotated[Principal, Depends(current_user)]
"""The verified caller; every route not on cqrs_kit.public's list must depend on it."""
