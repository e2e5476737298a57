"""Signing keys, the published JWKS, and short-lived access tokens (EdDSA JWTs).

The key comes from settings (``CQRS_IDENTITY_SIGNING_KEY``, an Ed25519 private key in PEM) or is
made at first start and kept in identity's own database, so every instance signs with the same key.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from jwt.algorithms import OKPAlgorithm
from pymongo.errors import DuplicateKeyError

from cqrs_identity.settings import IdentitySettings
from cqrs_kit.mongo import Collection

ALGORITHM = "EdDSA"
_CURRENT = "current"


def _thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638 key id: a hash of the key's required members, so the kid names the key."""
    canonical = json.dumps(
        {k: public_jwk[k] for k in ("crv", "kty", "x")}, separators=(",", ":"), sort_keys=True
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class SigningKey:
    """One Ed25519 key pair with its key id and public JWK."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self.private_key = private_key
        public: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(private_key.public_key()))
        self.kid = _thumbprint(public)
        self.public_jwk = {**public, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}

    @classmethod
    def from_pem(cls, pem: str) -> SigningKey:
        """Read a PEM private key; only Ed25519 keys are accepted."""
        key = load_pem_private_key(pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            msg = "the identity signing key must be an Ed25519 private key in PEM"
            raise ValueError(msg)
        return cls(key)

    def pem(self) -> str:
        """The private key in PKCS#8 PEM."""
        return self.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


class KeyRing:
    """The service's signing key, loaded (or made) once on first use."""

    def __init__(self, collection: Collection, settings: IdentitySettings) -> None:
        self._keys = collection
        self._settings = settings
        self._key: SigningKey | None = None
        self._lock = asyncio.Lock()

    async def key(self) -> SigningKey:
        """The signing key, from settings, from the database, or newly made and stored."""
        if self._key is not None:
            return self._key
        async with self._lock:
            if self._key is None:
                self._key = await self._load()
        return self._key

    async def _load(self) -> SigningKey:
        if self._settings.identity_signing_key:
            return SigningKey.from_pem(self._settings.identity_signing_key)
        stored = await self._keys.find_one({"_id": _CURRENT})
        if stored is None:
            made = SigningKey(Ed25519PrivateKey.generate())
            try:
                await self._keys.insert_one(
                    {
                        "_id": _CURRENT,
                        "kid": made.kid,
                        "private_pem": made.pem(),
                        "created_at": dt.datetime.now(dt.UTC),
                    }
                )
                return made
            except DuplicateKeyError:  # another instance made one first: use theirs
                stored = await self._keys.find_one({"_id": _CURRENT})
        assert stored is not None
        return SigningKey.from_pem(stored["private_pem"])

    async def jwks(self) -> dict[str, Any]:
        """The public keys other services verify access tokens with."""
        return {"keys": [(await self.key()).public_jwk]}

    async def access_token(self, claims: dict[str, Any], now: dt.datetime) -> tuple[str, int]:
        """A signed access token with these claims; returns it and its lifetime in seconds."""
        key = await self.key()
        lifetime = self._settings.identity_access_token_seconds
        payload = {
            **claims,
            "iss": self._settings.jwt_issuer,
            "aud": self._settings.jwt_audience,
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()) - 5,
            "exp": int(now.timestamp()) + lifetime,
            "jti": str(uuid.uuid4()),
        }
        token = jwt.encode(payload, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})
        return token, lifetime
