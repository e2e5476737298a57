"""Passwords after registration, on the real stack with the real SMTP server: reset by emailed
link (the same answer whether or not the address exists), change, administrator reset; and
registration that never says whether an account exists."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from cqrs_contracts import topics
from cqrs_contracts.events.identity import PasswordChanged, PasswordResetRequested
from cqrs_kit.testing import client_address_headers as somewhere
from cqrs_kit.testing_mail import link_in_mail


async def mail_token(address: str, subject_part: str) -> str:
    """The token of the link mailed to this address (read from the SMTP server's store)."""
    url = await link_in_mail(Path(os.environ["CQRS_SMTP_STORE"]), address, subject_part)
    return parse_qs(urlparse(url).query)["token"][0]


pytestmark = pytest.mark.integration
API = "/api/identity"
PASSWORD = "a long test passphrase 1"
NEW_PASSWORD = "another long passphrase 2"


async def test_reset_by_emailed_link_with_the_same_answer_for_unknown_addresses(
    stack: Any, kafka_events: Any
) -> None:
    user_id, address = await stack.user({"E85010": ["View"]})
    old = await stack.tokens(address, PASSWORD)
    asked = await stack.client.post(f"{API}/password-reset", json={"email": address}, headers=somewhere())
    nobody = await stack.client.post(
        f"{API}/password-reset",
        json={"email": f"no.one-{uuid.uuid4().hex[:6]}@test.cqrs.local"},
        headers=somewhere(),
    )
    assert asked.status_code == nobody.status_code == 202
    assert asked.json() == nobody.json()

    token = await mail_token(address, "Reset your CQRS password")
    events = await kafka_events(
        topics.IDENTITY_USER, user_id, lambda es: any(isinstance(e, PasswordResetRequested) for e in es)
    )
    assert token not in "".join(e.model_dump_json() for e in events)

    weak = await stack.client.post(
        f"{API}/password-reset/complete", json={"token": token, "password": "short"}
    )
    assert weak.status_code == 422
    done = await stack.client.post(
        f"{API}/password-reset/complete", json={"token": token, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204, done.text
    again = await stack.client.post(
        f"{API}/password-reset/complete", json={"token": token, "password": NEW_PASSWORD}
    )
    assert again.status_code == 422
    assert (
        await stack.client.post(f"{API}/login", json={"email": address, "password": PASSWORD})
    ).status_code == 401
    await stack.tokens(address, NEW_PASSWORD)
    ended = await stack.client.post(f"{API}/token/refresh", json={"refresh_token": old["refresh_token"]})
    assert ended.status_code == 401
    changed = await kafka_events(
        topics.IDENTITY_USER, user_id, lambda es: any(isinstance(e, PasswordChanged) for e in es)
    )
    assert [e.how for e in changed if isinstance(e, PasswordChanged)] == ["reset"]


async def test_change_needs_the_current_password(stack: Any) -> None:
    _, address = await stack.user({"E85011": ["View"]})
    headers = await stack.headers(address, PASSWORD)
    wrong = await stack.client.post(
        f"{API}/users/me/password",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "current_password"
    done = await stack.client.post(
        f"{API}/users/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=headers,
    )
    assert done.status_code == 204, done.text
    await stack.tokens(address, NEW_PASSWORD)


async def test_an_administrator_sends_a_reset_only_within_their_authority(stack: Any) -> None:
    user_id, address = await stack.user({"E85013": ["View"]})
    national, _ = await stack.user({"X24": ["View"], "E85013": ["View"]}, first="Vera")
    uma = await stack.demo("uma.user-admin")
    sent = await stack.client.post(f"{API}/users/{user_id}/password-reset", headers=uma)
    assert sent.status_code == 202, sent.text
    token = await mail_token(address, "Reset your CQRS password")
    done = await stack.client.post(
        f"{API}/password-reset/complete", json={"token": token, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204
    refused = await stack.client.post(f"{API}/users/{national}/password-reset", headers=uma)
    assert refused.status_code == 403


async def test_registration_never_says_whether_an_account_exists(stack: Any) -> None:
    body = {"first_name": "Ada", "last_name": "Lovelace", "organisation": "E85005"}
    existing = await stack.client.post(
        f"{API}/registrations",
        json={"email": "ada.advanced-admin@demo.cqrs.local", **body},
        headers=somewhere(),
    )
    new = await stack.client.post(
        f"{API}/registrations",
        json={"email": f"ada.l-{uuid.uuid4().hex[:6]}@test.cqrs.local", **body},
        headers=somewhere(),
    )
    assert existing.status_code == new.status_code == 202
    assert existing.json() == new.json()
    ada = await stack.runtime.mongo.collection("users").find_one(
        {"email_key": "ada.advanced-admin@demo.cqrs.local"}
    )
    assert ada is not None
    assert ada["status"] == "Active"


async def test_registration_is_throttled_per_client_address(stack: Any) -> None:
    here = somewhere()
    body = {"first_name": "Reg", "last_name": "Istrant", "organisation": "E85005"}
    for _ in range(10):
        ok = await stack.client.post(
            f"{API}/registrations",
            json={"email": f"reg-{uuid.uuid4().hex[:8]}@test.cqrs.local", **body},
            headers=here,
        )
        assert ok.status_code == 202
    stopped = await stack.client.post(
        f"{API}/registrations",
        json={"email": f"reg-{uuid.uuid4().hex[:8]}@test.cqrs.local", **body},
        headers=here,
    )
    assert stopped.status_code == 429
    assert int(stopped.headers["Retry-After"]) > 0
