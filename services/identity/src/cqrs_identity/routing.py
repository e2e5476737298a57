"""Routes whose domain refusals become problem details once, here, instead of in every route,
and whose OpenAPI names each operation (its function's name) and every problem it can answer."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from cqrs_identity.errors import NotAllowed, RuleBroken, Unknown
from cqrs_kit.auth import current_user
from cqrs_kit.errors import DomainError, Forbidden, NotFound

EXTRA: dict[str, tuple[int, ...]] = {
    "login": (401, 403, 429),
    "refresh": (401,),
    "register": (429,),
    "ask_for_reset": (429,),
    "complete": (404,),
    "complete_reset": (404,),
}
"""Problems of public operations that their parameters do not show: refused credentials, links
that name nothing, throttles (429 with Retry-After)."""


class FieldProblem(BaseModel):
    """One input to correct."""

    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem: ``type`` is ``urn:cqrs:problem:<kind>`` (see the README)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] = Field(default_factory=list)


WHY = {
    401: "no valid access token (WWW-Authenticate says why)",
    403: "the caller may not do this here (the detail says which role is missing where)",
    404: "the thing named does not exist",
    409: "someone else saved the same thing at the same moment; reload and try again",
    412: "If-Match names a version that is no longer current: someone else changed it first",
    422: "an input is invalid or breaks a rule; errors name the field",
    428: "If-Match is required for this edit",
    429: "too many attempts; Retry-After says how many seconds to wait",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for these problem statuses, each with the problem model."""
    return {
        s: {"model": Problem, "description": WHY[s], "content": {"application/problem+json": {}}}
        for s in statuses
    }


def translate(exc: RuleBroken) -> DomainError:
    """The kit error (and so the HTTP status) of a domain refusal, keeping its field."""
    if isinstance(exc, NotAllowed):
        return Forbidden(exc.message, field=exc.field)
    if isinstance(exc, Unknown):
        return NotFound(exc.message, field=exc.field)
    return DomainError(exc.message, field=exc.field)


def _calls(dependant: Dependant, target: Callable[..., Any]) -> bool:
    return dependant.call is target or any(_calls(d, target) for d in dependant.dependencies)


def _has_params(dependant: Dependant) -> bool:
    own = dependant.path_params or dependant.query_params or dependant.header_params or dependant.body_params
    return bool(own) or any(_has_params(d) for d in dependant.dependencies)


def _headers(dependant: Dependant) -> set[str]:
    found = {p.alias.lower() for p in dependant.header_params}
    for sub in dependant.dependencies:
        found |= _headers(sub)
    return found


def statuses_of(route: APIRoute) -> list[int]:
    """The problem statuses a route can answer, read from what it depends on."""
    dependant = route.dependant
    found: set[int] = set()
    if _has_params(dependant):
        found.add(422)
    if dependant.path_params or dependant.body_params:
        found.add(404)  # the path or the body names something (an organisation, a user) unknown
    if _calls(dependant, current_user):
        found |= {401, 403}
        if (route.methods or set()) - {"GET", "HEAD"}:
            found |= {409, 422}
    if "if-match" in _headers(dependant):
        found |= {412, 428}
    found |= set(EXTRA.get(route.name, ()))
    return sorted(found)


class DomainRoute(APIRoute):
    """An APIRoute that turns RuleBroken into the matching kit error and documents its problems."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self.operation_id = self.operation_id or self.name
        declared = problem_responses(*statuses_of(self))
        self.responses = {**declared, **self.responses}

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the normal handler."""
        handler = super().get_route_handler()

        async def translating(request: Request) -> Response:
            """Run the route, translating refusals."""
            try:
                return await handler(request)
            except RuleBroken as exc:
                raise translate(exc) from exc

        return translating


NUL_MESSAGE = "text may not contain the NUL character (U+0000)"


async def refuse_nul(request: Request) -> None:
    """Refuse any path, query or body holding U+0000, which no field means and the database
    cannot store (found by fuzzing: it was a 500)."""
    for name, value in [*request.path_params.items(), *request.query_params.multi_items()]:
        if "\x00" in str(value):
            raise DomainError(NUL_MESSAGE, field=name)
    body = await request.body()
    if b"\x00" in body or b"\\u0000" in body:
        raise DomainError(NUL_MESSAGE, field="body")


def router(tag: str) -> APIRouter:
    """A router for one concept whose routes translate domain refusals and refuse NUL characters."""
    return APIRouter(tags=[tag], route_class=DomainRoute, dependencies=[Depends(refuse_nul)])
