"""Error types every service shares, and their one mapping to RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from cqrs_kit.logs import get_logger

log = get_logger(__name__)


class DomainError(Exception):
    """A command or event broke a business rule: never retried, a 4xx over HTTP, a dead letter in Kafka."""

    status = 422
    title = "Business rule broken"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist (or the caller may not know it exists)."""

    status = 404
    title = "Not found"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status = 403
    title = "Forbidden"


class Unauthorised(DomainError):
    """No valid credentials: answered with `WWW-Authenticate: Bearer` (RFC 6750)."""

    status = 401
    title = "Unauthorised"

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


class TransientError(Exception):
    """Infrastructure was unavailable; the work may succeed later, so retry rather than give up."""


PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    """Build an RFC 9457 problem-details response."""
    body: dict[str, Any] = {
        "type": "about:blank",
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
        response = problem(exc.status, exc.title, exc.detail, instance=request.url.path, errors=errors)
        if isinstance(exc, Unauthorised):
            response.headers["WWW-Authenticate"] = exc.challenge()
        return response

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"field": ".".join(str(p) for p in err["loc"] if p != "body"), "message": err["msg"]}
            for err in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, "Invalid request", detail, instance=request.url.path, errors=errors)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", path=request.url.path)
        return problem(
            500,
            "Internal error",
            "Something went wrong on our side and nothing was changed; try again later.",
            instance=request.url.path,
        )

    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(Exception, on_unexpected)
    app.add_exception_handler(RequestValidationError, on_validation)
