"""Start-up check that every route needs an access token unless cqrs_kit.public lists it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from cqrs_kit.auth import current_user
from cqrs_kit.public import is_public


class UnguardedRoute(RuntimeError):
    """A route answers without a token and is not on the public list."""


def _depends_on(dependant: Dependant, wanted: Callable[..., Any]) -> bool:
    if dependant.call is wanted:
        return True
    return any(_depends_on(d, wanted) for d in dependant.dependencies)


def check_routes_need_tokens(api: FastAPI, service: str, prefix: str) -> None:
    """Refuse to build the app while any non-public route does not depend on CurrentUser."""
    unguarded = [
        f"{method} {route.path}"
        for route in iter_route_contexts(api.routes)  # FastAPI 0.165 keeps included routers nested
        if isinstance(route.original_route, APIRoute)
        for method in sorted(route.methods or ())
        if not is_public(service, method, str(route.path).removeprefix(prefix))
        and not _depends_on(route.dependant, current_user)
    ]
    if unguarded:
        msg = (
            f"{service}: these routes answer without a token: {', '.join(unguarded)}. "
            "Depend on cqrs_kit.auth.CurrentUser, or add the route to cqrs_kit.public.PUBLIC_ROUTES "
            "if it must be public."
        )
        raise UnguardedRoute(msg)


BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An access token from identity's POST /login",
}
"""The security scheme every service declares (CurrentUser's HTTPBearer adds the same)."""


def declare_bearer_scheme(api: FastAPI) -> None:
    """Declare the bearer scheme in the service's OpenAPI even before any route uses it."""
    original = api.openapi

    def openapi() -> dict[str, Any]:
        schema = original()
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes.setdefault("HTTPBearer", BEARER_SCHEME)
        return schema

    api.openapi = openapi  # type: ignore[method-assign]
