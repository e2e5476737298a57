"""Wiring of the notifications service."""

from __future__ import annotations

from typing import Any

from cqrs_kit.app import ServiceSpec, create_service_app
from cqrs_kit.mail import Mailer, mailer_from_settings
from cqrs_kit.runtime import Runtime
from cqrs_kit.settings import ServiceSettings
from cqrs_notifications import mailbox, people, store
from cqrs_notifications.api import router
from cqrs_notifications.centre import MessageCentre
from cqrs_notifications.handlers import subscribe
from cqrs_notifications.mailbox import Dispatcher, Outbox

CENTRE = "message_centre"
DISPATCHER = "email_dispatcher"


def build_spec(mailer: Mailer | None = None, *, send_emails: bool = True) -> ServiceSpec:
    """The service's parts; `mailer` replaces the one the settings choose (tests point it elsewhere)."""

    def wire(runtime: Runtime) -> None:
        outbox = Outbox(runtime.mongo)
        dispatcher = None
        if send_emails:
            dispatcher = Dispatcher(
                outbox,
                mailer or mailer_from_settings(runtime.settings),
                poll_seconds=runtime.settings.relay_poll_seconds,
                max_backoff=runtime.settings.consumer_max_backoff_seconds,
            )
        centre = MessageCentre(runtime, people.People(runtime.mongo), outbox, dispatcher)
        runtime.extras[CENTRE], runtime.extras[DISPATCHER] = centre, dispatcher
        subscribe(runtime, centre)

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
        indexes=[*store.INDEXES, *people.INDEXES, *mailbox.INDEXES],
        subscribe=wire,
        on_start=start,
        on_stop=stop,
    )


def create_app(
    settings: ServiceSettings | None = None, *, mailer: Mailer | None = None, send_emails: bool = True
) -> Any:
    """The notifications ASGI app (uvicorn --factory)."""
    spec = build_spec(mailer, send_emails=send_emails)
    return create_service_app(spec, settings or ServiceSettings(service_name=spec.name))
