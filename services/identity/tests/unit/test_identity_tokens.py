"""Signing keys: only Ed25519, a key id derived from the key, and tokens other services verify."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from cqrs_identity.auth.tokens import SigningKey
from cqrs_identity.settings import IdentitySettings, identity_settings
from cqrs_kit.settings import ServiceSettings


def test_key_id_is_stable_for_the_same_key() -> None:
    key = SigningKey(Ed25519PrivateKey.generate())
    again = SigningKey.from_pem(key.pem())
    assert again.kid == key.kid
    assert key.public_jwk["kty"] == "OKP"
    assert "d" not in key.public_jwk, "the JWKS must never carry the private part"


def test_only_ed25519_keys_are_accepted() -> None:
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    with pytest.raises(ValueError, match="Ed25519"):
        SigningKey.from_pem(pem.decode())


def test_a_token_signed_with_the_key_verifies_with_the_public_jwk() -> None:
    key = SigningKey(Ed25519PrivateKey.generate())
    now = int(dt.datetime.now(dt.UTC).timestamp())
    token = jwt.encode({"sub": "u1", "exp": now + 60}, key.private_key, algorithm="EdDSA")
    public = jwt.PyJWK.from_dict(key.public_jwk)
    assert jwt.decode(token, public, algorithms=["EdDSA"])["sub"] == "u1"


def test_plain_service_settings_become_identity_settings() -> None:
    upgraded = identity_settings(ServiceSettings(service_name="identity"))
    assert isinstance(upgraded, IdentitySettings)
    assert upgraded.identity_access_token_seconds == 300


def test_a_development_signing_key_is_refused_in_production() -> None:
    with pytest.raises(ValueError, match="CQRS_IDENTITY_SIGNING_KEY is a development default"):
        IdentitySettings(environment="production", s3_secret_key="real", identity_signing_key="")
