"""Events end to end, like with like in one run on the real stack:

(a) raw aiokafka: produce (many in flight) -> consume (commit per batch);
(b) the same, with the consumer making the idempotent insert per message the kit's consumers make
    (``_id`` derived from the event id), partitions concurrently, commit per batch;
(c) the kit: ``Aggregates.save`` -> relay -> Kafka -> ``Consumer`` handler making that insert.

Each is timed from the first send (or save) to the last effect, and one at a time for latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError

from benchmarks.stats import report
from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events import OfferMade
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.broker import ensure_topics
from cqrs_kit.idempotency import derived_id
from cqrs_kit.mongo import Collection, Mongo
from cqrs_kit.runtime import Runtime
from cqrs_kit.testing import endpoints, isolated_settings, offer_made, skip_history, unique

#: How many saves run at once in (c), as concurrent requests would in a service.
SAVERS = 32


class Offer(BaseModel):
    """A minimal aggregate for the benchmark."""

    offer_id: str
    status: str = "Offered"
    version: int = 0


async def _effect(effects: Collection, event_id: str, subject: str) -> None:
    """The effect every consumer in this benchmark stores: one insert with a derived id."""
    with contextlib.suppress(DuplicateKeyError):
        await effects.insert_one({"_id": derived_id(event_id, "bench"), "subject": subject})


class _Clock:
    """When each item started and when its effect was stored."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.started: dict[str, float] = {}
        self.latencies: list[float] = []
        self.done = asyncio.Event()
        self.arrived = asyncio.Event()

    def start(self, key: str) -> None:
        self.started[key] = time.perf_counter()

    def stored(self, key: str) -> None:
        began = self.started.pop(key, None)
        if began is None:
            return
        self.latencies.append((time.perf_counter() - began) * 1000)
        self.arrived.set()
        if len(self.latencies) == self.n:
            self.done.set()


async def _drive(
    clock: _Clock, one_at_a_time: bool, submit: Callable[[str], Awaitable[None]], concurrency: int
) -> float:
    """Submit n items (one by one waiting for each effect, or `concurrency` at once); seconds taken."""
    keys = [str(uuid.uuid4()) for _ in range(clock.n)]
    started = time.perf_counter()
    if one_at_a_time:
        for key in keys:
            clock.start(key)
            await submit(key)
            await asyncio.wait_for(clock.arrived.wait(), timeout=60)
            clock.arrived.clear()
    else:
        queue = iter(keys)

        async def worker() -> None:
            for key in queue:
                clock.start(key)
                await submit(key)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    await asyncio.wait_for(clock.done.wait(), timeout=600)
    return time.perf_counter() - started


async def raw_path(n: int, *, with_insert: bool, one_at_a_time: bool = False) -> dict[str, float]:
    """(a) or (b): raw aiokafka on a fresh topic, optionally with the idempotent insert per message."""
    env = endpoints()
    bootstrap = env["CQRS_KAFKA_BOOTSTRAP"]
    topic = unique("bench.raw")
    await ensure_topics(bootstrap, [topic], partitions=3)
    mongo = Mongo(env["CQRS_MONGO_URL"], unique("bench_raw").replace("-", "_"))
    effects = mongo.collection("effects")
    clock = _Clock(n)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=unique("bench-raw"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await consumer.start()
    await producer.start()

    async def partition(records: list[ConsumerRecord[bytes, bytes]]) -> None:
        for record in records:
            key = (record.key or b"").decode()
            if with_insert:
                await _effect(effects, key, key)
            clock.stored(key)

    async def consume() -> None:
        while not clock.done.is_set():
            batch = await consumer.getmany(timeout_ms=200, max_records=500)
            await asyncio.gather(*(partition(records) for records in batch.values()))
            if batch:
                await consumer.commit()

    acks: list[asyncio.Future[object]] = []

    async def submit(key: str) -> None:
        ack = await producer.send(topic, b'{"bench": true}', key=key.encode())
        if one_at_a_time:
            await ack
        else:
            acks.append(ack)

    reader = asyncio.create_task(consume())
    await asyncio.sleep(2)  # let the group join before timing
    elapsed = await _drive(clock, one_at_a_time, submit, concurrency=1)
    await asyncio.gather(*acks)
    await reader
    await producer.stop()
    await consumer.stop()
    await mongo.client.drop_database(mongo.db.name)
    await mongo.close()
    label = "(b) raw aiokafka + insert" if with_insert else "(a) raw aiokafka"
    name = f"{label}, {'one at a time' if one_at_a_time else 'all at once'}"
    return report(name, n, elapsed, clock.latencies)


async def kit_path(n: int, *, one_at_a_time: bool = False) -> dict[str, float]:
    """(c): save N new aggregates with one event each; the kit's relay and consumer do the rest."""
    settings = isolated_settings("bench", relay_poll_seconds=1.0)
    runtime = Runtime.build(settings, outbox_collections=["offers"])
    offers = Aggregates(runtime, "offers", Offer, "offer_id")
    effects = runtime.mongo.collection("effects")
    marker = unique("BENCH").upper()
    clock = _Clock(n)

    @runtime.consumer.on(OfferMade)
    async def seen(event: OfferMade, envelope: Envelope) -> None:
        if event.quality_service_id == marker:
            await _effect(effects, envelope.id, event.offer_id)
            clock.stored(event.offer_id)

    runtime.consumer.subscribe()
    await ensure_topics(settings.kafka_bootstrap, runtime.consumer.topics(), partitions=3)
    await skip_history(settings.group, OfferMade.topic)
    await runtime.broker.start()
    runtime.relay.start()
    await asyncio.sleep(3)  # let the group join before timing

    async def submit(key: str) -> None:
        event = offer_made(offer_id=key, quality_service_id=marker)
        await offers.save(Offer(offer_id=key), [event], correlation_id=marker, actor="bench")

    elapsed = await _drive(clock, one_at_a_time, submit, concurrency=SAVERS)
    await runtime.relay.stop()
    await runtime.broker.stop()
    await runtime.mongo.client.drop_database(runtime.mongo.db.name)
    await runtime.mongo.close()
    name = f"(c) kit save->relay->consumer, {'one at a time' if one_at_a_time else 'all at once'}"
    return report(name, n, elapsed, clock.latencies)
