"""An approved registration reaches the person as ONE email: identity's, with the completion link.
Notifications, reading the same RegistrationApproved, closes the administrators' task and mails
nobody (it used to send its own "approved" mail as well, so the person got two)."""

import os
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from cqrs_identity.app import create_app as identity_app
from cqrs_identity.demo import load_demo
from cqrs_identity.demo_data import DEMO_PASSWORD, DOMAIN
from cqrs_kit.app import runtime_of
from cqrs_kit.testing import (
    client_address_headers,
    eventually,
    isolated_settings,
    running_app,
    skip_all_history,
)
from cqrs_kit.testing_mail import link_in_mail, mails_to
from cqrs_notifications.app import create_app as notifications_app
from cqrs_notifications.mailbox import EMAILS
from cqrs_notifications.store import ITEMS

API = "/api/identity"
PASSWORD = "a long test passphrase 1"
IDENTITY_SUBJECT = "Your CQRS registration has been approved"


async def test_an_approved_registration_is_mailed_once() -> None:
    address = f"once-{uuid.uuid4().hex[:8]}@test.cqrs.local"
    store = Path(os.environ["CQRS_SMTP_STORE"])
    notifications_settings = isolated_settings("notifications")
    identity_settings = isolated_settings("identity")
    identity_asgi = identity_app(identity_settings)
    notifications_asgi = notifications_app(notifications_settings)
    for service in (identity_asgi, notifications_asgi):
        await skip_all_history(service)  # only what this test publishes
    async with running_app(identity_asgi) as identity, running_app(notifications_asgi):
        await load_demo(runtime_of(identity_asgi))
        registered = await identity.post(
            f"{API}/registrations",
            headers=client_address_headers(),
            json={
                "email": address,
                "first_name": "Olive",
                "last_name": "Once",
                "organisation": "E85005",
                "role": "View",
            },
        )
        assert registered.status_code == 202, registered.text
        account = await runtime_of(identity_asgi).mongo.collection("users").find_one({"email_key": address})
        assert account is not None
        login = await identity.post(
            f"{API}/login", json={"email": f"lara.local-admin@{DOMAIN}", "password": DEMO_PASSWORD}
        )
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        approved = await identity.post(
            f"{API}/registrations/{account['_id']}/approve", json={}, headers=admin
        )
        assert approved.status_code == 200, approved.text

        link = await link_in_mail(store, address, "registration has been approved")
        completed = await identity.post(
            f"{API}/registrations/complete",
            json={"token": parse_qs(urlparse(link).query)["token"][0], "password": PASSWORD},
        )
        assert completed.status_code == 200, completed.text

        # Barrier: notifications has handled the events after RegistrationApproved on the same
        # partition (the completion's RolesChanged builds its membership), so anything it
        # would have mailed for the approval is queued by now; send what is due, then count.
        memberships = runtime_of(notifications_asgi).mongo.collection("memberships")
        await eventually(lambda: memberships.find_one({"user_id": account["_id"]}), timeout=60)
        # The SMTP store is shared by every session on this machine, and other sessions' notifications
        # (older code) read the same topic; so count identity's mail in the store, and what THIS
        # notifications queued and sent for the address in its own outbox.
        notifications_mongo = runtime_of(notifications_asgi).mongo
        await runtime_of(notifications_asgi).extras["email_dispatcher"].send_due()
        assert await notifications_mongo.collection(EMAILS).count_documents({"to": address}) == 0
        assert await notifications_mongo.collection(ITEMS).count_documents({"user_id": account["_id"]}) == 0
        from_identity = [m for m in await mails_to(store, address) if m["Subject"] == IDENTITY_SUBJECT]
        assert len(from_identity) == 1
