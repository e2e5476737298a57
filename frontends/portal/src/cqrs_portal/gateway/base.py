"""The gateway client's plumbing: the user's token on every call, one refresh when it expired, and a
refused call turned into an ApiProblem with the service's words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

Json = dict[str, Any]

IDENTITY = "/api/identity"
NOTIFICATIONS = "/api/notifications"
PARTICIPATION = "/api/participation"
CLAIMS = "/api/claims"


@dataclass
class FieldError:
    """One field a service refused, in its words."""

    field: str
    message: str


@dataclass
class ApiProblem(Exception):
    """A service refused the call with RFC 9457 problem details (or failed without them)."""

    status: int
    title: str
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    #: The problem's errors as the service sent them (e.g. bulk claims' row, column and header).
    raw_errors: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"

    def field_message(self, name: str) -> str | None:
        """What the service said about one field, if it named it."""
        return next((e.message for e in self.errors if e.field.split(".")[-1] == name), None)


class NotLoggedIn(Exception):
    """The user has no token, or it expired and could not be refreshed: they must log in again."""


class Credentials(Protocol):
    """What a signed-in session lends the client: its tokens, and where to keep refreshed ones."""

    access_token: str | None
    refresh_token: str | None

    def keep_tokens(self, tokens: Json) -> None:
        """Store tokens from a refresh."""


def _problem(response: httpx.Response) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    errors = [
        FieldError(str(e.get("field") or ""), str(e.get("message") or ""))
        for e in body.get("errors") or []
        if isinstance(e, dict)
    ]
    return ApiProblem(
        status=response.status_code,
        title=str(body.get("title") or response.reason_phrase),
        detail=str(body.get("detail") or "The service could not do that; nothing was changed."),
        errors=errors,
        raw_errors=[e for e in body.get("errors") or [] if isinstance(e, dict)],
    )


class GatewayBase:
    """Calls the services through the gateway with the user's token, refreshing it once when it
    has expired."""

    def __init__(
        self, base_url: str, *, timeout: float = 15.0, transport: httpx.AsyncBaseTransport | None = None
    ):
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _send(
        self,
        method: str,
        path: str,
        token: str | None,
        *,
        json: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
        files: Any = None,
    ) -> httpx.Response:
        headers = ({"Authorization": f"Bearer {token}"} if token else {}) | (headers or {})
        try:
            return await self._http.request(
                method, path, json=json, params=params, headers=headers, files=files
            )
        except httpx.HTTPError as exc:
            raise ApiProblem(
                503, "Service unavailable", "CQRS could not be reached; try again later."
            ) from exc

    async def call(
        self,
        creds: Credentials | None,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
        files: Any = None,
    ) -> httpx.Response:
        """One call as the user (``files``: a multipart upload); a refused call raises ApiProblem,
        an expired login NotLoggedIn."""
        token = creds.access_token if creds else None
        response = await self._send(
            method, path, token, json=json, params=params, headers=headers, files=files
        )
        if response.status_code == 401 and creds is not None:
            if not creds.refresh_token:
                raise NotLoggedIn
            refreshed = await self._send(
                "POST", f"{IDENTITY}/token/refresh", None, json={"refresh_token": creds.refresh_token}
            )
            if refreshed.status_code != 200:
                raise NotLoggedIn
            creds.keep_tokens(refreshed.json())
            response = await self._send(
                method, path, creds.access_token, json=json, params=params, headers=headers, files=files
            )
            if response.status_code == 401:
                raise NotLoggedIn
        if response.status_code >= 400:
            raise _problem(response)
        return response

    async def _json(self, creds: Credentials | None, method: str, path: str, **kwargs: Any) -> Any:
        return (await self.call(creds, method, path, **kwargs)).json()

    async def _every(self, creds: Credentials | None, path: str, params: dict[str, str] | None) -> list[Json]:
        """Every item of a paged list ({items, total, limit, offset}), a page of 500 at a time."""
        found: list[Json] = []
        while True:
            page: Json = await self._json(
                creds, "GET", path, params={**(params or {}), "limit": "500", "offset": str(len(found))}
            )
            found.extend(page["items"])
            if not page["items"] or len(found) >= page["total"]:
                return found
