"""Rotating identity's signing key breaks no live token: the previous key stays published."""

from typing import Any

import pytest

from cqrs_identity.access import keyring
from cqrs_kit.auth import TokenVerifier
from cqrs_kit.errors import Unauthorised

API = "/api/identity"


async def test_a_token_signed_by_the_previous_key_still_verifies_after_rotation(stack: Any) -> None:
    async def published() -> dict[str, Any]:
        body: dict[str, Any] = (await stack.client.get(f"{API}/.well-known/jwks.json")).json()
        return body

    settings = stack.runtime.settings
    # min_interval 0: a service meeting a new key id fetches the keys again at once
    verifier = TokenVerifier(
        published, issuer=settings.jwt_issuer, audience=settings.jwt_audience, min_interval_seconds=0
    )
    before = (await stack.tokens("ada.advanced-admin@demo.cqrs.local"))["access_token"]
    assert (await verifier.verify(before)).name

    ring = keyring(stack.runtime)
    old = await ring.key()
    new = await ring.rotate()
    assert [k["kid"] for k in (await published())["keys"]] == [new.kid, old.kid]

    after = (await stack.tokens("ada.advanced-admin@demo.cqrs.local"))["access_token"]
    assert (await verifier.verify(after)).user_id == (await verifier.verify(before)).user_id
    assert (
        await stack.client.get(f"{API}/users/me", headers={"Authorization": f"Bearer {before}"})
    ).status_code == 200

    await ring.rotate()  # two rotations later the first key is gone, and so are its tokens
    fresh = TokenVerifier(published, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    with pytest.raises(Unauthorised, match="unknown key"):
        await fresh.verify(before)
    assert (await fresh.verify(after)).name
