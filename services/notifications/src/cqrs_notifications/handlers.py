"""Kafka subscribers of notifications, every one listed here: identity's user events feed the
read model of people, and every event of the routing table goes through the Message Centre."""

from __future__ import annotations

from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events.base import Event
from cqrs_kit.runtime import Runtime
from cqrs_notifications import people as people_model
from cqrs_notifications.centre import MessageCentre
from cqrs_notifications.routing import routed_events


def subscribe(runtime: Runtime, centre: MessageCentre) -> None:
    """Register one handler per event type (the kit's consumer keeps one per type)."""
    people_events = set(people_model.EVENTS)

    async def handle(event: Event, envelope: Envelope) -> None:
        """People first (a registration's task needs no person, but its emails might), then items."""
        if type(event) in people_events:
            await centre.people.apply(event, envelope)
        await centre.handle(event, envelope)

    for event_type in dict.fromkeys([*people_model.EVENTS, *routed_events()]):
        runtime.consumer.on(event_type)(handle)
