"""Notifications benchmark: one Quality Service offered to many providers (each with several
Service Management users) -> Message Centre tasks stored per second and the time to the last task,
through Kafka and the real consumer; beside it, plain one-by-one inserts into the same database as
a reference measured in the same run. Prints figures; asserts nothing about speed.

Users are written straight into the read model (as identity's events would leave it) with task
emails off, so the figure is tasks, not the SMTP sink's speed.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaProducer

from cqrs_contracts.envelope import envelope_for, to_kafka_headers
from cqrs_contracts.events import OfferMade
from cqrs_contracts.registry import serialize
from cqrs_kit.app import runtime_of
from cqrs_kit.testing import (
    eventually,
    isolated_settings,
    offer_made,
    organisation,
    running_app,
    seed_directory,
    skip_history,
)
from cqrs_notifications.app import create_app
from cqrs_notifications.people import MEMBERSHIPS, USERS
from cqrs_notifications.store import ITEMS


async def run(providers: int, users_each: int) -> None:
    """Offer one service to `providers` practices and time the tasks."""
    settings = isolated_settings("notifications", log_level="WARNING", directory_cache_seconds=60)
    app = create_app(settings, send_emails=False)
    runtime = runtime_of(app)
    await skip_history(settings.group, *[t for t in runtime.consumer.topics() if "deadletter" not in t])
    codes = [f"B{n:07d}" for n in range(providers)]
    await seed_directory(runtime.directory, [organisation("BENCHICB", "ICB")])
    await seed_directory(runtime.directory, [organisation(c, "GP Practice", "BENCHICB") for c in codes])
    users = [(f"bench-{c}-{u}", c) for c in codes for u in range(users_each)]
    await runtime.mongo.collection(USERS).insert_many(
        [{"_id": u, "email": f"{u}@bench.example", "task_emails": False} for u, _ in users]
    )
    await runtime.mongo.collection(MEMBERSHIPS).insert_many(
        [
            {"_id": f"{u}|{c}", "user_id": u, "organisation": c, "roles": ["Service Management"]}
            for u, c in users
        ]
    )
    reference = runtime.mongo.collection(f"bench_reference_{uuid.uuid4().hex[:6]}")
    started = time.perf_counter()
    for code in codes:
        await reference.insert_one({"_id": code, "organisation": code, "status": "open"})
    raw_rate = providers / (time.perf_counter() - started)

    service = f"BENCH-{uuid.uuid4().hex[:8].upper()}"
    offers = [offer_made(quality_service_id=service, provider_organisation_id=c) for c in codes]
    async with running_app(app):
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", linger_ms=5)
        await producer.start()
        started = time.perf_counter()
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
        published = time.perf_counter() - started
        items = runtime.mongo.collection(ITEMS)

        async def all_stored() -> bool:
            return await items.count_documents({}) >= providers

        await eventually(all_stored, timeout=3600, interval=0.5)
        elapsed = time.perf_counter() - started
    print(
        f"{providers} offers to providers with {users_each} Service Management users each "
        f"({len(users)} users): published in {published:.1f} s; last task stored after {elapsed:.1f} s; "
        f"{providers / elapsed:.0f} tasks/s (reference: one-by-one inserts {raw_rate:.0f} docs/s)",
        flush=True,
    )
