"""nginx gateway: answers its own health check and unknown API paths with a JSON problem, no service
needed (every path outside /api/ belongs to the portal)."""

from __future__ import annotations

import os
import uuid

import httpx
import pytest


@pytest.fixture
def gateway(infra: dict[str, str]) -> str:
    """The gateway's base URL (set by the launcher beside the other endpoints)."""
    url = os.environ.get("CQRS_GATEWAY_URL")
    if not url:
        pytest.fail('CQRS_GATEWAY_URL is not set; run `eval "$(uv run cqrs-local env)"`')
    return url.rstrip("/")


async def test_gateway_health_check_answers_ok(gateway: str) -> None:
    """The gateway itself is up, whatever runs behind it."""
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(f"{gateway}/gateway/healthz")
    assert response.status_code == 200
    assert response.text.strip() == "ok"


@pytest.mark.parametrize("path", ["/api/no-such-service/thing", "/api/"])
async def test_unknown_path_answers_a_json_404(gateway: str, path: str) -> None:
    """An API path no service owns is a JSON 404 from the gateway, never nginx's HTML page."""
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(f"{gateway}{path}", params={"probe": uuid.uuid4().hex})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"title": "Not Found", "status": 404}
