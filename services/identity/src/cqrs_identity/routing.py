"""Routes whose domain refusals become problem details once, here, instead of in every route."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute

from cqrs_identity.errors import NotAllowed, RuleBroken, Unknown
from cqrs_kit.errors import DomainError, Forbidden, NotFound


def translate(exc: RuleBroken) -> DomainError:
    """The kit error (and so the HTTP status) of a domain refusal, keeping its field."""
    if isinstance(exc, NotAllowed):
        return Forbidden(exc.message, field=exc.field)
    if isinstance(exc, Unknown):
        return NotFound(exc.message, field=exc.field)
    return DomainError(exc.message, field=exc.field)


class DomainRoute(APIRoute):
    """An APIRoute that turns RuleBroken into the matching kit error."""

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


def router(tag: str) -> APIRouter:
    """A router for one concept whose routes translate domain refusals."""
    return APIRouter(tags=[tag], route_class=DomainRoute)
