"""Tokens are verified against a JWKS: signature, expiry, issuer, audience and key id."""

import asyncio
import datetime as dt
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jwt.algorithms import RSAAlgorithm

from cqrs_kit.auth import CurrentUser, Grant, TokenVerifier, acting_name
from cqrs_kit.errors import Unauthorised, install_problem_handlers

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwks() -> dict[str, Any]:
    public = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
    return {"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}


async def _source() -> dict[str, Any]:
    return _jwks()


def _token(key: Any = KEY, kid: str = "k1", **claims: Any) -> str:
    now = dt.datetime.now(dt.UTC)
    payload = {
        "sub": "u1",
        "name": "Dr Ada Lovelace",
        "iss": "cqrs-identity",
        "aud": "cqrs",
        "exp": now + dt.timedelta(minutes=5),
        "iat": now,
        "grants": [
            {"organisation": "A81001", "role": "Service Management", "payment_types": ["QOF"]},
            {"organisation": "QWE", "role": "View", "cluster_ids": ["c1"]},
        ],
        **claims,
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


def _verifier() -> TokenVerifier:
    return TokenVerifier(_source, issuer="cqrs-identity", audience="cqrs")


async def test_valid_token_gives_the_principal() -> None:
    principal = await _verifier().verify(_token())
    assert principal.user_id == "u1"
    assert principal.grants == [
        Grant(organisation="A81001", role="Service Management", payment_types=("QOF",)),
        Grant(organisation="QWE", role="View", cluster_ids=("c1",)),
    ]
    assert principal.holds("Service Management", "A81001")
    assert not principal.holds("Service Management", "A81002")


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (lambda: _token(exp=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)), "expired"),
        (lambda: _token(aud="elsewhere"), "invalid access token"),
        (lambda: _token(iss="someone-else"), "invalid access token"),
        (lambda: _token(key=OTHER), "invalid access token"),
        (lambda: _token(kid="unknown"), "unknown key"),
        (lambda: "not-a-token", "invalid access token"),
    ],
)
async def test_bad_tokens_are_refused_with_a_reason(token: Any, reason: str) -> None:
    with pytest.raises(Unauthorised, match=reason):
        await _verifier().verify(token())


def test_current_user_dependency() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.token_verifier = _verifier()

    @app.get("/me")
    async def me(user: CurrentUser) -> dict[str, str]:
        return {"user": user.user_id}

    client = TestClient(app)
    assert client.get("/me", headers={"Authorization": f"Bearer {_token()}"}).json() == {"user": "u1"}
    refused = client.get("/me")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert "Authorization: Bearer" in refused.json()["detail"]
    forged = client.get("/me", headers={"Authorization": f"Bearer {_token(key=OTHER)}"})
    assert forged.status_code == 401
    assert forged.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


def test_a_request_knows_its_callers_name_for_saves_and_nobody_elses() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.token_verifier = _verifier()

    @app.get("/who")
    async def who(user: CurrentUser) -> dict[str, str | None]:
        return {"caller": acting_name(user.user_id), "other": acting_name("u2"), "system": acting_name(None)}

    client = TestClient(app)
    seen = client.get("/who", headers={"Authorization": f"Bearer {_token()}"}).json()
    assert seen == {"caller": "Dr Ada Lovelace", "other": None, "system": None}
    assert acting_name("u1") is None  # outside a request nobody is acting


async def test_keys_are_fetched_single_flight_and_unknown_kids_wait_the_minimum_interval() -> None:
    calls = 0

    async def slow_source() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return _jwks()

    verifier = TokenVerifier(slow_source, issuer="cqrs-identity", audience="cqrs", min_interval_seconds=60)
    principals = await asyncio.gather(*(verifier.verify(_token()) for _ in range(20)))
    assert {p.user_id for p in principals} == {"u1"}
    assert calls == 1, "twenty concurrent first requests share one fetch"
    for _ in range(5):
        with pytest.raises(Unauthorised, match="unknown key"):
            await verifier.verify(_token(kid="forged"))
    assert calls == 1, "unknown key ids do not refetch within the minimum interval"


async def test_a_new_key_id_is_fetched_once_the_interval_has_passed() -> None:
    published = [_jwks()]

    async def source() -> dict[str, Any]:
        return published[-1]

    verifier = TokenVerifier(source, issuer="cqrs-identity", audience="cqrs", min_interval_seconds=0)
    await verifier.verify(_token())
    rotated = {"keys": [*_jwks()["keys"], {**_jwks()["keys"][0], "kid": "k2"}]}
    published.append(rotated)
    assert (await verifier.verify(_token(kid="k2"))).user_id == "u1"
    assert verifier.fetches == 2
