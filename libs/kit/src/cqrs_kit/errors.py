"""Error types every service shares, and their one mapping to RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from cqrs_kit.logs import get_logger

log = get_logger(__name__)


PROBLEM_BASE = "urn:cqrs:problem:"
"""Every problem ``type`` is this prefix and a slug, one per kind of error (listed in the README)."""


class DomainError(Exception):
    """A command or event broke a business rule: never retried, a 4xx over HTTP, a dead letter in Kafka."""

    status = 422
    title = "Business rule broken"
    kind = "rule-broken"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist (or the caller may not know it exists)."""

    status = 404
    title = "Not found"
    kind = "not-found"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status = 403
    title = "Forbidden"
    kind = "forbidden"


class Unauthorised(DomainError):
    """No valid credentials: answered with `WWW-Authenticate: Bearer` (RFC 6750)."""

    status = 401
    title = "Unauthorised"
    kind = "unauthorised"

    def __init__(self, detail: str, *, field: str | None = None, invalid_token: bool = False) -> None:
        super().__init__(detail, field=field)
        self.invalid_token = invalid_token

    def challenge(self) -> str:
        """The WWW-Authenticate header value: which scheme, and why a token sent was refused."""
        if self.invalid_token:
            reason = self.detail.replace('"', "'")
            return f'Bearer error="invalid_token", error_description="{reason}"'
        return "Bearer"


class VersionConflict(DomainError):
    """Someone else saved the aggregate first; reload and try again."""

    status = 409
    title = "Conflict"
    kind = "version-conflict"


class PreconditionFailed(DomainError):
    """If-Match named a version that is no longer current: someone else changed it first."""

    status = 412
    title = "Changed by someone else"
    kind = "precondition-failed"


class PreconditionRequired(DomainError):
    """An edit that could silently overwrite someone else's needs If-Match."""

    status = 428
    title = "If-Match required"
    kind = "precondition-required"


class TooManyRequests(DomainError):
    """Too many attempts in a short time; ``retry_after`` seconds until the next may succeed."""

    status = 429
    title = "Too many attempts"
    kind = "too-many-requests"

    def __init__(self, detail: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(detail, field=field)
        self.retry_after = max(1, retry_after)


class TransientError(Exception):
    """Infrastructure was unavailable; the work may succeed later, so retry rather than give up."""


PROBLEM_JSON = "application/problem+json"


PROBLEM_KINDS: dict[str, str] = {
    "invalid-request": "the request does not match the API (a field is missing, too long, of the wrong type)",
    "rule-broken": "the request is well formed but breaks a business rule; `errors` names the field",
    "not-found": "the thing named does not exist, or you may not know that it does",
    "forbidden": "you are logged in but may not do this; the detail says which role or scope is missing",
    "unauthorised": "no valid access token (see WWW-Authenticate), or wrong credentials",
    "version-conflict": "someone saved the same thing at the same moment; reload and try again",
    "precondition-failed": "If-Match named an old version: someone else changed it; reload and redo",
    "precondition-required": "this edit needs If-Match with the ETag you read",
    "too-many-requests": "too many attempts; Retry-After says how many seconds to wait",
    "internal-error": "something failed on our side; nothing was changed",
}
"""Every problem ``type`` slug and what it means (the README lists the same)."""


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    kind: str = "rule-broken",
) -> JSONResponse:
    """Build an RFC 9457 problem-details response."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def install_problem_handlers(app: FastAPI) -> None:
    """Map domain errors and request validation errors to problem details once, for every route."""

    async def on_domain(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
        response = problem(
            exc.status, exc.title, exc.detail, instance=request.url.path, errors=errors, kind=exc.kind
        )
        if isinstance(exc, Unauthorised):
            response.headers["WWW-Authenticate"] = exc.challenge()
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"field": ".".join(str(p) for p in err["loc"] if p != "body"), "message": err["msg"]}
            for err in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(
            422, "Invalid request", detail, instance=request.url.path, errors=errors, kind="invalid-request"
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", path=request.url.path)
        return problem(
            500,
            "Internal error",
            "Something went wrong on our side and nothing was changed; try again later.",
            instance=request.url.path,
            kind="internal-error",
        )

    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(Exception, on_unexpected)
    app.add_exception_handler(RequestValidationError, on_validation)
