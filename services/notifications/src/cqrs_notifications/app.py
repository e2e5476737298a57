"""Wiring of the notifications service."""

from __future__ import annotations

from typing import Any

from cqrs_kit.app import ServiceSpec, create_service_app
from cqrs_kit.mail import Mailer, mailer_from_settings
from cqrs_kit.mail_outbox import MailDispatcher
from cqrs_kit.metrics import metrics_of
from cqrs_kit.runtime import Runtime
from cqrs_kit.settings import ServiceSettings
from cqrs_notifications import digest, mailbox, people, store
from cqrs_notifications.api import router
from cqrs_notifications.centre import MessageCentre
from cqrs_notifications.handlers import subscribe
from cqrs_notifications.mailbox import Outbox

CENTRE = "message_centre"
DISPATCHER = "email_dispatcher"


def build_spec(mailer: Mailer | None = None, *, send_emails: bool = True) -> ServiceSpec:
    """The service's parts; `mailer` replaces the one the settings choose (tests point it elsewhere)."""

    def wire(runtime: Runtime) -> None:
        outbox = Outbox(runtime.mongo)
        dispatcher = None
        centre = MessageCentre(runtime, people.People(runtime.mongo), outbox, None)
        if send_emails:
            dispatcher = MailDispatcher(
                outbox,
                mailer or mailer_from_settings(runtime.settings),
                poll_seconds=runtime.settings.relay_poll_seconds,
                max_backoff=runtime.settings.consumer_max_backoff_seconds,
                prepare=centre.digests.queue_due,
            )
            centre.dispatcher = dispatcher
        runtime.extras[CENTRE], runtime.extras[DISPATCHER] = centre, dispatcher
        subscribe(runtime, centre)
        metrics_of(runtime).count_by("cqrs_emails", "Emails by delivery status.", mailbox.EMAILS, "status")

    async def start(runtime: Runtime) -> None:
        if runtime.extras[DISPATCHER] is not None:
            runtime.extras[DISPATCHER].start()

    async def stop(runtime: Runtime) -> None:
        if runtime.extras[DISPATCHER] is not None:
            await runtime.extras[DISPATCHER].stop()

    return ServiceSpec(
        name="notifications",
        description="Message Centre tasks and messages, and emails by each user's preferences.",
        routers=[router],
        indexes=[*store.INDEXES, *people.INDEXES, *mailbox.INDEXES, *digest.INDEXES],
        subscribe=wire,
        on_start=start,
        on_stop=stop,
        # Built only from events (cqrsctl rebuild replays them); read marks and the email outbox
        # (with what was sent) are the service's own records and are copied as they are.
        read_models=[
            store.ITEMS,
            store.CLOSURES,
            people.USERS,
            people.MEMBERSHIPS,
            people.CHANGES,
            people.VERSION,
        ],
    )


def create_app(
    settings: ServiceSettings | None = None, *, mailer: Mailer | None = None, send_emails: bool = True
) -> Any:
    """The notifications ASGI app (uvicorn --factory)."""
    spec = build_spec(mailer, send_emails=send_emails)
    return create_service_app(spec, settings or ServiceSettings(service_name=spec.name))
