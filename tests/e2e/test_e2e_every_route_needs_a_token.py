"""Every route of every service's OpenAPI answers 401 with `WWW-Authenticate: Bearer` without a
valid token, unless it is on the kit's one public list; and every service declares the scheme."""

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from cqrs_claims.app import create_app as claims_app
from cqrs_identity.app import create_app as identity_app
from cqrs_kit.public import is_public
from cqrs_kit.settings import ServiceSettings
from cqrs_kit.testing import token_for, trusted_jwks_json
from cqrs_notifications.app import create_app as notifications_app
from cqrs_participation.app import create_app as participation_app
from cqrs_scanning.app import create_app as scanning_app
from cqrs_scanning.settings import ScanningSettings

SERVICES: dict[str, Callable[[Any], Any]] = {
    "identity": identity_app,
    "participation": participation_app,
    "claims": claims_app,
    "scanning": scanning_app,
    "notifications": notifications_app,
}
FORGED = token_for(issuer="someone-else")


def _client(service: str) -> httpx.AsyncClient:
    # No lifespan: a request without a valid token must be refused before anything is touched.
    kind = ScanningSettings if service == "scanning" else ServiceSettings
    app = SERVICES[service](kind(service_name=service, jwks_json=trusted_jwks_json()))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.mark.parametrize("service", list(SERVICES))
async def test_every_route_but_the_public_ones_needs_a_token(service: str) -> None:
    prefix = f"/api/{service}"
    async with _client(service) as client:
        spec = (await client.get(f"{prefix}/openapi.json")).json()
        assert spec["components"]["securitySchemes"]["HTTPBearer"] == {
            "type": "http",
            "scheme": "bearer",
            "description": "An access token from identity's POST /login",
        }
        guarded = 0
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                relative = path.removeprefix(prefix)
                if is_public(service, method, relative):
                    assert "security" not in operation, f"{method} {path} is public"
                    continue
                assert operation["security"] == [{"HTTPBearer": []}], f"{method} {path}"
                url = re.sub(r"\{[^}]+\}", "X1", path)
                bare = await client.request(method, url)
                assert bare.status_code == 401, f"{method.upper()} {path}: {bare.status_code} {bare.text}"
                assert bare.headers["WWW-Authenticate"] == "Bearer", f"{method.upper()} {path}"
                forged = await client.request(method, url, headers={"Authorization": f"Bearer {FORGED}"})
                assert forged.status_code == 401, f"{method.upper()} {path} with a forged token"
                assert forged.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
                guarded += 1
        assert guarded or service in {"claims", "scanning"}, f"{service} has no guarded routes?"
