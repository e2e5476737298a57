"""Notifications benchmark: one Quality Service offered to many providers (each with several
Service Management users who want task emails) -> Message Centre tasks stored per second, the
time to the last task and to the last queued email, through Kafka and the real consumer.

Beside it, measured in the same run on the same database: the same documents (one task and one
email per user, per offer) written by a plain loop with the fewest round trips the work allows
(one insert of the task and one insert_many of its emails per offer, one offer after another), and
the kit's raw consume rate (Kafka to a handler that does nothing). Prints figures; asserts nothing.

Users are written straight into the read model (as identity's events would leave it); emails are
queued but not sent (the dispatcher is off), so the figure is the Message Centre, not SMTP's.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaProducer

from cqrs_contracts.envelope import Envelope, envelope_for, to_kafka_headers
from cqrs_contracts.events import Event, OfferMade
from cqrs_contracts.registry import serialize
from cqrs_kit.app import runtime_of
from cqrs_kit.mongo import Collection
from cqrs_kit.testing import (
    isolated_settings,
    offer_made,
    organisation,
    running_app,
    seed_directory,
    skip_history,
)
from cqrs_notifications.app import CENTRE, create_app
from cqrs_notifications.mailbox import EMAILS
from cqrs_notifications.people import MEMBERSHIPS, USERS, VERSION
from cqrs_notifications.store import ITEMS

REFERENCE_OFFERS = 1000
"""Offers the reference loop writes (its rate does not depend on the count)."""


async def _reference(items: Collection, emails: Collection, users_each: int) -> float:
    """Offers per second for the loop writing one task and its emails per offer."""
    started = time.perf_counter()
    for n in range(REFERENCE_OFFERS):
        await items.insert_one({"_id": f"ref-{n}", "kind": "task", "organisation": f"R{n}", "status": "open"})
        await emails.insert_many(
            [{"_id": f"ref-{n}-{u}", "to": f"r{n}-{u}@bench.example"} for u in range(users_each)],
            ordered=False,
        )
    return REFERENCE_OFFERS / (time.perf_counter() - started)


async def _publish(bootstrap: str, offers: list[OfferMade]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        sends = []
        for offer in offers:
            envelope = envelope_for(offer, source="/bench", correlation_id="bench")
            sends.append(
                await producer.send(
                    OfferMade.topic,
                    serialize(offer),
                    key=offer.offer_id.encode(),
                    headers=to_kafka_headers(envelope),
                )
            )
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def run(providers: int, users_each: int, *, kit_rate: float | None = None) -> dict[str, float]:
    """Offer one service to `providers` practices and time the tasks and their emails."""
    settings = isolated_settings(
        "notifications", log_level="WARNING", directory_cache_seconds=600, mongo_timeout_ms=60_000
    )
    app = create_app(settings, send_emails=False)
    runtime = runtime_of(app)
    await skip_history(settings.group, *[t for t in runtime.consumer.topics() if "deadletter" not in t])
    codes = [f"B{n:07d}" for n in range(providers)]
    await seed_directory(runtime.directory, [organisation("BENCHICB", "ICB")])
    await seed_directory(runtime.directory, [organisation(c, "GP Practice", "BENCHICB") for c in codes])
    users = [(f"bench-{c}-{u}", c) for c in codes for u in range(users_each)]
    for start in range(0, len(users), 1000):
        chunk = users[start : start + 1000]
        await runtime.mongo.collection(USERS).insert_many(
            [{"_id": u, "email": f"{u}@bench.example", "name": "Bench User"} for u, _ in chunk]
        )
        await runtime.mongo.collection(MEMBERSHIPS).insert_many(
            [
                {"_id": f"{u}|{c}", "user_id": u, "organisation": c, "roles": ["Service Management"]}
                for u, c in chunk
            ]
        )
    await runtime.mongo.collection(VERSION).insert_one({"_id": VERSION, "version": uuid.uuid4().hex})
    tag = uuid.uuid4().hex[:6]
    reference = await _reference(
        runtime.mongo.collection(f"bench_ref_items_{tag}"),
        runtime.mongo.collection(f"bench_ref_emails_{tag}"),
        users_each,
    )

    service = f"BENCH-{uuid.uuid4().hex[:8].upper()}"
    offers = [offer_made(quality_service_id=service, provider_organisation_id=c) for c in codes]
    items, emails = runtime.mongo.collection(ITEMS), runtime.mongo.collection(EMAILS)
    # Done = the Message Centre finished the bench's offers (task and emails stored). Counted as
    # it happens: polling counts would scan the growing collections (FerretDB v1) and count other
    # sessions' live events on the shared topics.
    centre = runtime.extras[CENTRE]
    handle, done, finished = centre.handle, set(), asyncio.Event()

    async def counted(event: Event, envelope: Envelope) -> None:
        await handle(event, envelope)
        if isinstance(event, OfferMade) and event.quality_service_id == service:
            done.add(event.offer_id)
            if len(done) == providers:
                finished.set()

    centre.handle = counted
    async with running_app(app):
        started = time.perf_counter()
        await _publish(settings.kafka_bootstrap, offers)
        published = time.perf_counter() - started
        await asyncio.wait_for(finished.wait(), timeout=7200)
        to_last_task = time.perf_counter() - started
        mine = {"category": "offer-to-answer", "organisation": {"$regex": "^B[0-9]{7}$"}}
        stored = await items.count_documents(mine)
        queued = await emails.count_documents({"to": {"$regex": "@bench[.]example$"}})
    rate = providers / to_last_task
    print(
        f"{providers} offers to providers with {users_each} Service Management users each "
        f"({len(users)} users): published in {published:.1f} s; last task and its emails stored "
        f"after {to_last_task:.1f} s: {rate:,.0f} tasks/s, {len(users) / to_last_task:,.0f} emails/s "
        f"(stored: {stored} tasks, {queued} emails queued)",
        flush=True,
    )
    beside = (
        f"; raw Kafka consume + one idempotent insert per event in this run {kit_rate:,.0f} events/s"
        if kit_rate
        else ""
    )
    print(
        f"reference in this run: one task insert + one insert_many of its {users_each} emails per "
        f"offer, one offer after another: {reference:,.0f} offers/s ({rate / reference:.2f}x){beside}",
        flush=True,
    )
    return {"rate": rate, "to_last_task": to_last_task, "reference": reference}
