"""Kafka subscribers of notifications: thin translations of events into Message Centre tasks."""

from __future__ import annotations

from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events import OfferMade
from cqrs_kit.idempotency import derived_id
from cqrs_kit.logs import get_logger
from cqrs_kit.runtime import Runtime
from cqrs_notifications.store import TASKS, Task, TaskStore

log = get_logger(__name__)


def subscribe(runtime: Runtime) -> None:
    """Every subscription of this service, listed in one place."""
    tasks = TaskStore(runtime.mongo.collection(TASKS))

    @runtime.consumer.on(OfferMade)
    async def offer_made(event: OfferMade, envelope: Envelope) -> None:
        """A provider has a new offer to answer."""
        created = await tasks.add(
            Task(
                task_id=derived_id(envelope.id, "offer-task"),
                organisation_id=event.provider_organisation_id,
                kind="offer-to-answer",
                title=f"Review the offer of Quality Service {event.quality_service_id}",
                subject_id=event.offer_id,
                source_event_id=envelope.id,
                created_at=envelope.time,  # the offer's time: a replay makes the same task
            )
        )
        log.info("offer task stored" if created else "offer task already stored", offer_id=event.offer_id)
