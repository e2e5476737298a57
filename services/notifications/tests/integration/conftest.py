"""A notifications app on the real stack, with a seeded Directory, helpers to deliver events to its
handlers and to register users through identity's events, and the SMTP store to read mail from."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from cqrs_contracts.envelope import Envelope, envelope_for
from cqrs_contracts.events.base import Event
from cqrs_contracts.events.identity import (
    AccessGranted,
    NotificationPreferencesChanged,
    RegistrationCompleted,
    RoleHeld,
    RolesChanged,
    UserClustersChanged,
)
from cqrs_kit.app import runtime_of
from cqrs_kit.mail import Mailer
from cqrs_kit.runtime import Runtime
from cqrs_kit.testing import (
    bearer,
    grant,
    isolated_settings,
    new_ods_code,
    organisation,
    running_app,
    seed_standard_tree,
    skip_history,
)
from cqrs_kit.testing_mail import mails_to
from cqrs_notifications.app import create_app
from cqrs_notifications.mailbox import Outbox


@dataclass
class User:
    """A user registered through identity's events, with a token carrying the same grants."""

    user_id: str
    email: str
    grants: list[tuple[str, str]] = field(default_factory=list)
    clusters: tuple[str, ...] = ()

    @property
    def headers(self) -> dict[str, str]:
        """An Authorization header for this user."""
        return bearer(*(grant(r, o, cluster_ids=self.clusters) for r, o in self.grants), user_id=self.user_id)


@dataclass
class Centre:
    """The app under test and what tests do to it."""

    client: httpx.AsyncClient
    runtime: Runtime
    store: Path
    orgs: dict[str, str]
    """Organisations of this test only (other sessions publish to the same topics): ICB, ICB2 (a
    sibling), and practices P1, P2, P3 under ICB and Q1 under ICB2."""

    async def deliver(self, event: Event, envelope: Envelope | None = None) -> Envelope:
        """Hand one event to the service's own handler, as its consumer would."""
        envelope = envelope or envelope_for(event, source="/test", correlation_id=str(uuid.uuid4()))
        handler = self.runtime.consumer._handlers[event.topic][event.ce_type()]
        await handler(event, envelope)
        return envelope

    async def user(
        self,
        *grants: tuple[str, str],
        task_emails: bool = True,
        message_emails: bool = True,
        clusters: tuple[str, ...] = (),
        daily_digest: bool = False,
    ) -> User:
        """Register a user holding these (role, organisation) grants, with these preferences."""
        user = User(
            f"u-{uuid.uuid4().hex[:10]}", f"{uuid.uuid4().hex[:12]}@nhs.example", list(grants), clusters
        )
        now = dt.datetime.now(dt.UTC)
        await self.deliver(
            RegistrationCompleted(
                user_id=user.user_id, email=user.email, first_name="Pat", last_name="Lee", completed_at=now
            )
        )
        for ods in dict.fromkeys(o for _, o in grants):
            roles = [RoleHeld(role=r) for r, o in grants if o == ods]
            common: dict[str, Any] = {"user_id": user.user_id, "organisation_ods_code": ods}
            await self.deliver(AccessGranted(**common, granted_by="admin", granted_at=now))
            await self.deliver(RolesChanged(**common, roles=roles, changed_by="admin", changed_at=now))
            if clusters:
                await self.deliver(
                    UserClustersChanged(**common, cluster_ids=list(clusters), changed_by="a", changed_at=now)
                )
        if not (task_emails and message_emails) or daily_digest:
            await self.deliver(
                NotificationPreferencesChanged(
                    user_id=user.user_id,
                    email=user.email,
                    task_emails=task_emails,
                    message_emails=message_emails,
                    changed_at=now,
                    daily_digest=daily_digest,
                )
            )
        return user

    async def items(self, user: User, **params: Any) -> dict[str, Any]:
        """GET /items as this user."""
        response = await self.client.get("/api/notifications/items", params=params, headers=user.headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def mails(self, user: User) -> list[Any]:
        """Mail the SMTP store holds for this user."""
        return await mails_to(self.store, user.email)

    async def send_due_emails(self) -> None:
        """Run the dispatcher's round now (it also runs in the background)."""
        dispatcher = self.runtime.extras["email_dispatcher"]
        await dispatcher.send_due()

    def outbox(self) -> Outbox:
        """The queued emails."""
        return Outbox(self.runtime.mongo)


@pytest.fixture
async def centre(infra: dict[str, str]) -> AsyncIterator[Centre]:
    """A notifications app sending mail to the stack's SMTP server."""
    async with started(infra["CQRS_SMTP_ADDRESS"], Path(infra["CQRS_SMTP_STORE"])) as found:
        yield found


def started(smtp: str, store: Path, mailer: Mailer | None = None) -> Any:
    """Start an app whose mail goes to `smtp` (stored in `store`), Directory seeded."""
    from contextlib import asynccontextmanager  # noqa: PLC0415

    @asynccontextmanager
    async def run() -> AsyncIterator[Centre]:
        # no snapshot cache: a snapshot loaded while the test seeds the tree must not outlive it
        settings = isolated_settings("notifications", smtp_address=smtp, directory_cache_seconds=0)
        app = create_app(settings, mailer=mailer)
        runtime = runtime_of(app)  # read only what the test publishes, not earlier runs' events
        await skip_history(settings.group, *[t for t in runtime.consumer.topics() if "deadletter" not in t])
        async with running_app(app) as client:
            orgs = {name: new_ods_code(name[0]) for name in ("ICB", "ICB2", "P1", "P2", "P3", "Q1")}
            tree = [("ICB", "ICB", None), ("ICB2", "ICB", None), ("P1", "GP Practice", "ICB")]
            tree += [
                ("P2", "GP Practice", "ICB"),
                ("P3", "GP Practice", "ICB"),
                ("Q1", "GP Practice", "ICB2"),
            ]
            await seed_standard_tree(
                runtime.directory,
                *[organisation(orgs[c], kind, orgs[p] if p else "Y56") for c, kind, p in tree],
            )
            yield Centre(client, runtime, store, orgs)

    return run()
