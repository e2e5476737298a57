"""Account lifecycle on the real stack: register → Pending Actions → approve → link → log in;
rejection, invitations, access requests, revoke, enable, disable, audit, and the events on Kafka."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from cqrs_contracts import topics
from cqrs_contracts.events.identity import (
    AccountDisabled,
    InvitationSent,
    NotificationPreferencesChanged,
    RegistrationApproved,
    RegistrationCompleted,
    RegistrationRejected,
    RolesChanged,
)
from cqrs_kit.testing import client_address_headers as somewhere
from cqrs_kit.testing_mail import link_in_mail

pytestmark = pytest.mark.integration
API = "/api/identity"
GOOD_PASSWORD = "a perfectly fine passphrase"


def field_of(response: httpx.Response) -> str:
    """The field a problem-details response names."""
    assert response.headers["content-type"].startswith("application/problem+json")
    errors: list[dict[str, Any]] = response.json()["errors"]
    return str(errors[0]["field"])


def email(first: str = "jane") -> str:
    """An address nobody else in the test run uses."""
    return f"{first}.doe-{uuid.uuid4().hex[:8]}@test.cqrs.local"


async def register(
    stack: Any, address: str, organisation: str = "E85005", role: str | None = "Local User (single-level)"
) -> str:
    response = await stack.client.post(
        f"{API}/registrations",
        headers=somewhere(),
        json={
            "email": address,
            "first_name": "Jane",
            "last_name": "Doe",
            "organisation": organisation,
            "role": role,
        },
    )
    assert response.status_code == 202, response.text
    account = await stack.runtime.mongo.collection("users").find_one({"email_key": address.lower()})
    assert account is not None
    assert account["status"] == "Pending Approval"
    return str(account["_id"])


def token_from(url: str) -> str:
    return parse_qs(urlparse(url).query)["token"][0]


async def mail_link(address: str, subject_part: str) -> str:
    """The token of the link mailed to this address (read from the SMTP server's store)."""
    return token_from(await link_in_mail(Path(os.environ["CQRS_SMTP_STORE"]), address, subject_part))


async def link_of(
    kafka_events: Callable[..., Any],
    user_id: str,
    kind: type[RegistrationApproved | InvitationSent],
    address: str,
    subject_part: str,
) -> str:
    """The completion link as the person receives it: by email, never on Kafka."""
    events = await kafka_events(
        topics.IDENTITY_USER, user_id, lambda es: any(isinstance(e, kind) for e in es)
    )
    (event,) = [e for e in events if isinstance(e, kind)]
    token = await mail_link(address, subject_part)
    assert token not in event.model_dump_json()
    assert "http" not in event.model_dump_json()
    return token


async def test_registration_is_approved_completed_once_and_logs_in(
    stack: Any, kafka_events: Callable[..., Any]
) -> None:
    address = email()
    user_id = await register(stack, address)
    admin = await stack.demo("lara.local-admin")
    pending = await stack.client.get(f"{API}/pending-actions?sort=status", headers=admin)
    assert user_id in {line["user_id"] for line in pending.json()["items"]}

    approved = await stack.client.post(f"{API}/registrations/{user_id}/approve", json={}, headers=admin)
    assert approved.json()["status"] == "Awaiting Completion"
    token = await link_of(
        kafka_events, user_id, RegistrationApproved, address, "registration has been approved"
    )
    refused = await stack.client.post(f"{API}/login", json={"email": address, "password": GOOD_PASSWORD})
    assert refused.status_code == 401

    weak = await stack.client.post(
        f"{API}/registrations/complete", json={"token": token, "password": "short"}
    )
    assert (weak.status_code, field_of(weak)) == (422, "password")
    done = await stack.client.post(
        f"{API}/registrations/complete", json={"token": token, "password": GOOD_PASSWORD}
    )
    assert done.json()["status"] == "Active"
    again = await stack.client.post(
        f"{API}/registrations/complete", json={"token": token, "password": GOOD_PASSWORD}
    )
    assert (again.status_code, field_of(again)) == (422, "token")

    me = await stack.client.get(f"{API}/users/me", headers=await stack.headers(address, GOOD_PASSWORD))
    assert me.json()["memberships"][0]["roles"] == [
        {"role": "Local User (single-level)", "payment_types": []}
    ]
    assert [(g["organisation"], g["role"]) for g in me.json()["grants"]] == [
        ("E85005", "Local User (single-level)")
    ]
    events = await kafka_events(
        topics.IDENTITY_USER, user_id, lambda es: any(isinstance(e, RolesChanged) for e in es)
    )
    assert [type(e).__name__ for e in events][:3] == [
        "UserRegistered",
        "RegistrationApproved",
        "RegistrationCompleted",
    ]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"email": "reception@nhs.net", "first_name": "Practice", "last_name": "Manager"}, 422, "email"),
        ({"organisation": "not an ods code"}, 422, "organisation"),
        ({"organisation": "ZZZ"}, 404, "organisation"),
        ({"email": "not-an-email"}, 422, "email"),
        ({"role": "Emperor"}, 422, "role"),
        ({"role": "Commissioning Management"}, 422, "roles"),
        ({"nickname": "JD"}, 422, "nickname"),
    ],
)
async def test_bad_registrations_name_the_field_and_store_nothing(
    stack: Any, body: dict[str, Any], status: int, field: str
) -> None:
    address = email()
    sent = {"email": address, "first_name": "Jane", "last_name": "Doe", "organisation": "E85005"} | body
    response = await stack.client.post(f"{API}/registrations", json=sent, headers=somewhere())
    assert (response.status_code, field_of(response)) == (status, field)
    assert response.json()["type"].startswith("urn:cqrs:problem:")
    stored = await stack.runtime.mongo.collection("users").find_one({"email_key": str(sent["email"]).lower()})
    assert stored is None


async def test_rejection_needs_a_reason_and_emails_it(stack: Any, kafka_events: Callable[..., Any]) -> None:
    user_id = await register(stack, email())
    admin = await stack.demo("uma.user-admin")
    blank = await stack.client.post(
        f"{API}/registrations/{user_id}/reject", json={"reason": "  "}, headers=admin
    )
    assert (blank.status_code, field_of(blank)) == (422, "reason")
    rejected = await stack.client.post(
        f"{API}/registrations/{user_id}/reject", json={"reason": "Generic name"}, headers=admin
    )
    assert rejected.json()["status"] == "Rejected"
    events = await kafka_events(
        topics.IDENTITY_USER, user_id, lambda es: any(isinstance(e, RegistrationRejected) for e in es)
    )
    assert [e.reason for e in events if isinstance(e, RegistrationRejected)] == ["Generic name"]


async def test_invitation_sends_a_link_that_completes_registration(
    stack: Any, kafka_events: Callable[..., Any]
) -> None:
    address = email("ivy")
    admin = await stack.demo("uma.user-admin")
    invited = await stack.client.post(
        f"{API}/invitations",
        headers=admin,
        json={
            "email": address,
            "first_name": "Ivy",
            "last_name": "Doe",
            "organisation": "E85006",
            "role": "Service Management",
        },
    )
    assert invited.status_code == 201, invited.text
    user_id = invited.json()["user_id"]
    token = await link_of(kafka_events, user_id, InvitationSent, address, "invited")
    await stack.client.post(f"{API}/registrations/complete", json={"token": token, "password": GOOD_PASSWORD})
    tokens = await stack.tokens(address, GOOD_PASSWORD)
    me = await stack.client.get(
        f"{API}/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.json()["memberships"][0]["organisation"] == "E85006"


async def test_access_request_is_reviewed_like_a_registration(stack: Any) -> None:
    _, address = await stack.user({"E85001": ["Local User (single-level)"]})
    user = await stack.headers(address, "a long test passphrase 1")
    asked = await stack.client.post(
        f"{API}/access-requests", headers=user, json={"organisation": "E85008", "role": "View"}
    )
    assert asked.status_code == 201, asked.text
    request_id = next(
        r["request_id"]
        for r in (
            await stack.client.get(
                f"{API}/pending-actions", params={"q": address}, headers=await stack.demo("uma.user-admin")
            )
        ).json()["items"]
        if r["email"] == address
    )
    again = await stack.client.post(f"{API}/access-requests", headers=user, json={"organisation": "E85008"})
    assert (again.status_code, field_of(again)) == (422, "organisation")
    approved = await stack.client.post(
        f"{API}/access-requests/{request_id}/approve", json={}, headers=await stack.demo("uma.user-admin")
    )
    assert {m["organisation"] for m in approved.json()["memberships"]} == {"E85001", "E85008"}


async def test_revoked_user_still_logs_in_and_enable_gives_access_back(stack: Any) -> None:
    user_id, address = await stack.user({"E85007": ["View"]})
    admin = await stack.demo("uma.user-admin")
    await stack.client.post(f"{API}/users/{user_id}/revoke", headers=admin, json={"organisation": "E85007"})
    me = await stack.client.get(
        f"{API}/users/me", headers=await stack.headers(address, "a long test passphrase 1")
    )
    assert me.status_code == 200
    assert me.json()["grants"] == []
    enabled = await stack.client.post(
        f"{API}/users/{user_id}/enable", headers=admin, json={"organisation": "E85007"}
    )
    assert enabled.json()["memberships"][0]["revoked"] is False


async def test_disabled_account_cannot_log_in_refresh_or_use_its_token(
    stack: Any, kafka_events: Callable[..., Any]
) -> None:
    user_id, address = await stack.user({"E85009": ["View"]})
    tokens = await stack.tokens(address, "a long test passphrase 1")
    old = {"Authorization": f"Bearer {tokens['access_token']}"}
    admin = await stack.demo("uma.user-admin")
    too_long = await stack.client.post(
        f"{API}/users/{user_id}/disable", headers=admin, json={"reason": "Other", "reason_text": "x" * 251}
    )
    assert (too_long.status_code, field_of(too_long)) == (422, "reason_text")
    assert (await stack.client.get(f"{API}/users/me", headers=old)).status_code == 200

    disabled = await stack.client.post(
        f"{API}/users/{user_id}/disable",
        headers=admin,
        json={"reason": "Other", "reason_text": "Left the NHS"},
    )
    assert disabled.json()["status"] == "Disabled"
    login = await stack.client.post(
        f"{API}/login", json={"email": address, "password": "a long test passphrase 1"}
    )
    assert login.status_code == 403
    assert "disabled" in login.json()["detail"]
    assert (await stack.client.get(f"{API}/users/me", headers=old)).status_code == 401
    refreshed = await stack.client.post(
        f"{API}/token/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 401
    events = await kafka_events(
        topics.IDENTITY_USER, user_id, lambda es: any(isinstance(e, AccountDisabled) for e in es)
    )
    assert [e.reason_text for e in events if isinstance(e, AccountDisabled)] == ["Left the NHS"]

    await stack.client.post(f"{API}/users/{user_id}/enable", headers=admin, json={})
    assert await stack.tokens(address, "a long test passphrase 1")


async def test_a_user_disables_their_own_account(stack: Any) -> None:
    _, address = await stack.user({"E85010": ["View"]})
    own = await stack.headers(address, "a long test passphrase 1")
    done = await stack.client.post(
        f"{API}/users/me/disable", headers=own, json={"reason": "No longer requires access"}
    )
    assert done.json()["status"] == "Disabled"
    login = await stack.client.post(
        f"{API}/login", json={"email": address, "password": "a long test passphrase 1"}
    )
    assert login.status_code == 403


async def test_administrators_read_the_audit_trail(stack: Any) -> None:
    user_id, _ = await stack.user({"E85011": ["View"]})
    admin = await stack.demo("uma.user-admin")
    await stack.client.post(
        f"{API}/users/{user_id}/disable", headers=admin, json={"reason": "Duplicate account"}
    )
    trail = (await stack.client.get(f"{API}/audit?user_id={user_id}", headers=admin)).json()["items"]
    assert trail[0]["action"] == "Account disabled"
    assert trail[0]["reason"] == "Duplicate account"
    assert "Invitation sent" in {line["action"] for line in trail}
    assert trail[0]["actor"] != user_id
    viewer = await stack.client.get(f"{API}/audit", headers=await stack.demo("victor.viewer"))
    assert viewer.status_code == 403


async def test_pending_actions_sort_filter_page_and_flag(stack: Any) -> None:
    first = await register(stack, email(), organisation="E85012")
    second = await register(stack, email(), organisation="E85012")
    shared = f"reception@surgery-{uuid.uuid4().hex[:6]}.test.cqrs.local"
    flagged = await register(stack, shared, organisation="E85012")
    admin = await stack.demo("lara.local-admin")
    await stack.client.post(f"{API}/registrations/{first}/reject", json={"reason": "Unknown"}, headers=admin)

    async def lines(**params: Any) -> dict[str, Any]:
        response = await stack.client.get(f"{API}/pending-actions", params=params, headers=admin)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    by_date = await lines(sort="date", order="asc", organisation="E85012", limit=500)
    ours = [line["user_id"] for line in by_date["items"] if line["user_id"] in {first, second, flagged}]
    assert ours == [first, second, flagged]
    by_status = await lines(sort="status", order="asc", limit=500)
    statuses = [line["status"] for line in by_status["items"]]
    assert statuses == sorted(statuses, key=["Pending", "Approved", "Rejected"].index)
    only = await lines(status="Pending", limit=500)
    assert {line["status"] for line in only["items"]} == {"Pending"}
    one = await lines(organisation="E85012", limit=1, offset=1, order="asc")
    assert (len(one["items"]), one["limit"], one["offset"]) == (1, 1, 1)
    assert one["total"] >= 3
    access = await lines(kind="Access request", limit=500)
    assert {line["kind"] for line in access["items"]} <= {"Access request"}
    marked = await lines(q=shared, flagged="true")
    ((line,),) = [marked["items"]]
    assert line["user_id"] == flagged
    assert "shared mailbox" in line["flags"][0]
    assert (await lines(q=shared, flagged="false"))["total"] == 0
    wrong = await stack.client.get(f"{API}/pending-actions?sort=name", headers=admin)
    assert (wrong.status_code, field_of(wrong)) == (422, "query.sort")


async def test_notification_preferences_are_published(stack: Any, kafka_events: Callable[..., Any]) -> None:
    user_id, address = await stack.user({"E85013": ["View"]})
    own = await stack.headers(address, "a long test passphrase 1")
    changed = await stack.client.put(
        f"{API}/users/me/notification-preferences",
        headers=own,
        json={"task_emails": True, "message_emails": False, "daily_digest": True},
    )
    assert changed.json() == {"task_emails": True, "message_emails": False, "daily_digest": True}
    events = await kafka_events(
        topics.IDENTITY_USER,
        user_id,
        lambda es: any(isinstance(e, NotificationPreferencesChanged) for e in es),
    )
    assert any(isinstance(e, RegistrationCompleted) for e in events)
    [published] = [e for e in events if isinstance(e, NotificationPreferencesChanged)]
    assert (published.message_emails, published.daily_digest) == (False, True)
