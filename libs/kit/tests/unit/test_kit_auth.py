"""Tokens are verified against a JWKS: signature, expiry, issuer, audience and key id."""

import datetime as dt
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jwt.algorithms import RSAAlgorithm

from cqrs_kit.auth import CurrentUser, TokenVerifier
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
        "roles": [{"organisation": "A81001", "role": "Service Management"}],
        "scope_orgs": ["A81001"],
        **claims,
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


def _verifier() -> TokenVerifier:
    return TokenVerifier(_source, issuer="cqrs-identity", audience="cqrs")


async def test_valid_token_gives_the_principal() -> None:
    principal = await _verifier().verify(_token())
    assert principal.user_id == "u1"
    assert principal.has_role("Service Management", "A81001")
    assert not principal.has_role("Service Management", "A81002")
    assert principal.may_act_on("A81001")
    assert not principal.may_act_on("A81002")


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
    assert "Authorization: Bearer" in refused.json()["detail"]
