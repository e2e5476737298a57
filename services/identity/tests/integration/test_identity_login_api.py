"""Login on the real stack: tokens other services can verify from the JWKS, refresh rotation,
logout, throttling, and changes reaching the next token."""

from __future__ import annotations

from typing import Any

import pytest

from cqrs_kit.auth import TokenVerifier
from cqrs_kit.errors import Unauthorised

pytestmark = pytest.mark.integration
API = "/api/identity"
PASSWORD = "a long test passphrase 1"


async def test_access_token_verifies_against_the_published_jwks(stack: Any) -> None:
    tokens = await stack.tokens("carl.cluster-admin@demo.cqrs.local")
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] <= 300

    async def jwks() -> dict[str, Any]:
        body: dict[str, Any] = (await stack.client.get(f"{API}/.well-known/jwks.json")).json()
        return body

    settings = stack.runtime.settings
    principal = await TokenVerifier(jwks, issuer=settings.jwt_issuer, audience=settings.jwt_audience).verify(
        tokens["access_token"]
    )
    assert principal.name == "Carl Clarke"
    assert principal.holds("User Administrator", "QRV")
    assert [g.cluster_ids for g in principal.grants if g.organisation == "QRV"] != [()]
    assert await stack.may(principal, "User Administrator", "E85001")
    assert not await stack.may(principal, "User Administrator", "E85005"), "limited to Harrow practices"
    assert await stack.may(principal, "User Administrator", "QRV"), "a cluster-limited user keeps QRV"
    assert not await stack.may(principal, "Advanced User Administrator", "E85001"), "not his role"
    wrong_audience = TokenVerifier(jwks, issuer=settings.jwt_issuer, audience="someone-else")
    with pytest.raises(Unauthorised):
        await wrong_audience.verify(tokens["access_token"])


async def test_unknown_address_and_wrong_password_get_the_same_answer(stack: Any) -> None:
    unknown = await stack.client.post(
        f"{API}/login", json={"email": "nobody.here@test.cqrs.local", "password": "whatever it is"}
    )
    wrong = await stack.client.post(
        f"{API}/login", json={"email": "victor.viewer@demo.cqrs.local", "password": "whatever it is"}
    )
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"]


async def test_repeated_failures_are_throttled_even_with_the_right_password(stack: Any) -> None:
    _, address = await stack.user({"D81001": ["View"]})
    for _ in range(5):
        failed = await stack.client.post(f"{API}/login", json={"email": address, "password": "not it at all"})
        assert failed.status_code == 401
    locked = await stack.client.post(f"{API}/login", json={"email": address, "password": PASSWORD})
    assert locked.status_code == 429
    assert "try again in 15 minutes" in locked.json()["detail"]


async def test_refresh_rotates_and_a_replayed_token_kills_the_family(stack: Any) -> None:
    _, address = await stack.user({"D81002": ["View"]})
    first = await stack.tokens(address, PASSWORD)
    second = await stack.client.post(f"{API}/token/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    replay = await stack.client.post(f"{API}/token/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    after_theft = await stack.client.post(
        f"{API}/token/refresh", json={"refresh_token": second.json()["refresh_token"]}
    )
    assert after_theft.status_code == 401


async def test_logout_stops_the_refresh_token(stack: Any) -> None:
    _, address = await stack.user({"D81003": ["View"]})
    tokens = await stack.tokens(address, PASSWORD)
    out = await stack.client.post(f"{API}/logout", json={"refresh_token": tokens["refresh_token"]})
    assert out.status_code == 204
    again = await stack.client.post(f"{API}/token/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401


async def test_refreshed_token_carries_roles_changed_since_login(stack: Any) -> None:
    user_id, address = await stack.user({"D81004": ["View"]})
    tokens = await stack.tokens(address, PASSWORD)
    admin = await stack.demo("ada.advanced-admin")
    await stack.client.post(f"{API}/users/{user_id}/revoke", headers=admin, json={"organisation": "D81004"})
    refreshed = await stack.client.post(
        f"{API}/token/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    me = await stack.client.get(
        f"{API}/users/me", headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    )
    assert me.json()["grants"] == []


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}]
)
async def test_protected_routes_need_a_valid_token(stack: Any, headers: dict[str, str]) -> None:
    response = await stack.client.get(f"{API}/users/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_login_input_is_checked(stack: Any) -> None:
    response = await stack.client.post(f"{API}/login", json={"email": "x", "password": ""})
    fields = {e["field"] for e in response.json()["errors"]}
    assert response.status_code == 422
    assert fields == {"email", "password"}
