"""The ONE list of routes that answer without an access token; every other route needs one.

The app factory refuses to start a service with a route that neither depends on
cqrs_kit.auth.CurrentUser (directly or through another dependency) nor appears here, and a test
walks every service's OpenAPI to prove each other route answers 401 without a token.
"""

from __future__ import annotations

from dataclasses import dataclass

ANY_SERVICE = "*"


@dataclass(frozen=True)
class PublicRoute:
    """A route (method and path below /api/<service>) anyone may call, and why."""

    service: str
    method: str
    path: str
    why: str


PUBLIC_ROUTES: tuple[PublicRoute, ...] = (
    PublicRoute(ANY_SERVICE, "GET", "/healthz", "health"),
    PublicRoute(ANY_SERVICE, "GET", "/readyz", "readiness"),
    PublicRoute(ANY_SERVICE, "GET", "/openapi.json", "docs"),
    PublicRoute(ANY_SERVICE, "GET", "/docs", "docs"),
    PublicRoute(ANY_SERVICE, "GET", "/docs/oauth2-redirect", "docs"),
    PublicRoute(ANY_SERVICE, "GET", "/asyncapi", "docs"),
    PublicRoute(ANY_SERVICE, "GET", "/asyncapi.json", "docs"),
    PublicRoute(ANY_SERVICE, "GET", "/asyncapi.yaml", "docs"),
    PublicRoute("identity", "POST", "/login", "login"),
    PublicRoute("identity", "POST", "/token/refresh", "refresh"),
    PublicRoute("identity", "POST", "/logout", "refresh: ends the session of the refresh token it sends"),
    PublicRoute("identity", "GET", "/.well-known/jwks.json", "JWKS"),
    PublicRoute("identity", "POST", "/registrations", "registration"),
    PublicRoute("identity", "POST", "/registrations/complete", "registration: the emailed link"),
    PublicRoute("identity", "GET", "/organisations", "registration: the form finds the organisation"),
    PublicRoute("identity", "GET", "/organisations/{ods_code}", "registration: the form shows it"),
    PublicRoute("identity", "GET", "/roles", "registration: the form offers a role to request"),
    PublicRoute("identity", "POST", "/password-reset", "password reset: ask for a link"),
    PublicRoute("identity", "POST", "/password-reset/complete", "password reset: the emailed link"),
)


def is_public(service: str, method: str, path: str) -> bool:
    """Whether the route (path below /api/<service>, as declared with {parameters}) is public."""
    method = method.upper()
    return any(
        r.service in (ANY_SERVICE, service) and r.method == method and r.path == path for r in PUBLIC_ROUTES
    )
