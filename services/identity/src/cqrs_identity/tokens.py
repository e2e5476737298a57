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
import time
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

from cqrs_identity.settings import IdentitySettings
from cqrs_kit.mongo import Collection

ALGORITHM = "EdDSA"


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
    """The service's signing keys: the newest signs, the one before it still verifies.

    Keys are documents in identity's database (``_id`` the key id), the newest by ``created_at``
    being current. ``rotate`` inserts a new one, so every instance signs with it within
    ``reload_seconds`` while tokens signed by the previous key stay valid until they expire.
    """

    def __init__(
        self, collection: Collection, settings: IdentitySettings, reload_seconds: float = 60.0
    ) -> None:
        self._keys = collection
        self._settings = settings
        self._reload = reload_seconds
        self._ring: tuple[float, list[SigningKey]] | None = None
        self._lock = asyncio.Lock()

    async def keys(self) -> list[SigningKey]:
        """Current key first, then the previous one (if any)."""
        ring = self._ring
        if ring is not None and time.monotonic() - ring[0] < self._reload:
            return ring[1]
        async with self._lock:
            ring = self._ring
            if ring is None or time.monotonic() - ring[0] >= self._reload:
                ring = (time.monotonic(), await self._load())
                self._ring = ring
        return ring[1]

    async def key(self) -> SigningKey:
        """The signing key."""
        return (await self.keys())[0]

    async def _load(self) -> list[SigningKey]:
        if self._settings.identity_signing_key:
            keys = [SigningKey.from_pem(self._settings.identity_signing_key)]
            if self._settings.identity_previous_signing_key:
                keys.append(SigningKey.from_pem(self._settings.identity_previous_signing_key))
            return keys
        stored = [d async for d in self._keys.find({}).sort("created_at", -1).limit(2)]
        if not stored:
            await self._insert(SigningKey(Ed25519PrivateKey.generate()))
            stored = [d async for d in self._keys.find({}).sort("created_at", -1).limit(2)]
        return [SigningKey.from_pem(d["private_pem"]) for d in stored]

    async def _insert(self, key: SigningKey) -> None:
        await self._keys.insert_one(
            {"_id": key.kid, "kid": key.kid, "private_pem": key.pem(), "created_at": dt.datetime.now(dt.UTC)}
        )

    async def rotate(self) -> SigningKey:
        """Make a new signing key current; the old current one is published as previous."""
        if self._settings.identity_signing_key:
            msg = (
                "the signing key comes from settings: rotate by moving it to "
                "CQRS_IDENTITY_PREVIOUS_SIGNING_KEY and setting a new CQRS_IDENTITY_SIGNING_KEY"
            )
            raise ValueError(msg)
        made = SigningKey(Ed25519PrivateKey.generate())
        await self._insert(made)
        self._ring = None
        return made

    async def jwks(self) -> dict[str, Any]:
        """The public keys other services verify access tokens with: current and previous."""
        return {"keys": [k.public_jwk for k in await self.keys()]}

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
