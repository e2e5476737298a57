"""Outbox → Kafka → consumer path against raw aiokafka produce/consume, in the same run."""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from benchmarks.stats import report
from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events import OfferMade
from cqrs_kit.broker import ensure_topics, make_broker, relay_publisher
from cqrs_kit.consumer import Consumer
from cqrs_kit.mongo import Mongo
from cqrs_kit.outbox import OutboxRelay, outbox_entries, save_aggregate
from cqrs_kit.testing import endpoints, offer_made, unique


def _offer(offer_id: str, marker: str) -> OfferMade:
    return offer_made(offer_id=offer_id, quality_service_id=marker)


async def outbox_path(n: int, *, one_at_a_time: bool = False) -> dict[str, float]:
    """Save N aggregates with their events; time from save to the consumer seeing each event.

    All at once measures throughput (latency then includes the queue); one at a time waits for
    each event to arrive before saving the next, so latency is the path's own.
    """
    env = endpoints()
    bootstrap = env["CQRS_KAFKA_BOOTSTRAP"]
    marker = unique("BENCH").upper()
    mongo = Mongo(env["CQRS_MONGO_URL"], unique("bench_outbox").replace("-", "_"))
    collection = mongo.collection("offers")
    broker = make_broker(bootstrap, client_id="bench")
    consumer = Consumer(broker, group=unique("bench"), offset_reset="latest")  # skip the topic's history
    saved_at: dict[str, float] = {}
    latencies: list[float] = []
    done = asyncio.Event()
    arrived = asyncio.Event()

    @consumer.on(OfferMade)
    async def seen(event: OfferMade, envelope: Envelope) -> None:
        if event.quality_service_id == marker and event.offer_id in saved_at:
            latencies.append((time.perf_counter() - saved_at.pop(event.offer_id)) * 1000)
            arrived.set()
            if len(latencies) == n:
                done.set()

    consumer.subscribe()
    await ensure_topics(bootstrap, consumer.topics(), partitions=3)
    await broker.start()
    relay = OutboxRelay([collection], relay_publisher(broker), poll_seconds=1.0)
    relay.start()
    await asyncio.sleep(3)  # let the group join before timing
    started = time.perf_counter()
    for _ in range(n):
        offer_id = str(uuid.uuid4())
        event = _offer(offer_id, marker)
        saved_at[offer_id] = time.perf_counter()
        await save_aggregate(
            collection,
            offer_id,
            0,
            {"status": "Offered"},
            outbox_entries([event], source="/bench", correlation_id=marker),
        )
        relay.wake("offers", offer_id)
        if one_at_a_time:
            await asyncio.wait_for(arrived.wait(), timeout=60)
            arrived.clear()
    await asyncio.wait_for(done.wait(), timeout=300)
    elapsed = time.perf_counter() - started
    await relay.stop()
    await broker.stop()
    await mongo.client.drop_database(mongo.db.name)
    await mongo.close()
    name = "outbox path, one at a time" if one_at_a_time else "outbox path, all at once"
    return report(name, n, elapsed, latencies)


async def raw_path(n: int, *, one_at_a_time: bool = False) -> dict[str, float]:
    """N raw aiokafka produce/consume round trips on a fresh topic, same broker settings."""
    bootstrap = endpoints()["CQRS_KAFKA_BOOTSTRAP"]
    topic = unique("bench.raw")
    await ensure_topics(bootstrap, [topic], partitions=3)
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
    sent_at: dict[bytes, float] = {}
    latencies: list[float] = []

    arrived = asyncio.Event()

    async def consume() -> None:
        while len(latencies) < n:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    latencies.append((time.perf_counter() - sent_at.pop(record.key)) * 1000)
                    arrived.set()
            await consumer.commit()

    reader = asyncio.create_task(consume())
    await asyncio.sleep(2)
    started = time.perf_counter()
    for i in range(n):
        key = f"k{i}".encode()
        sent_at[key] = time.perf_counter()
        await producer.send_and_wait(topic, b'{"n": %d}' % i, key=key)
        if one_at_a_time:
            await asyncio.wait_for(arrived.wait(), timeout=60)
            arrived.clear()
    await asyncio.wait_for(reader, timeout=300)
    elapsed = time.perf_counter() - started
    await producer.stop()
    await consumer.stop()
    name = "raw aiokafka, one at a time" if one_at_a_time else "raw aiokafka, all at once"
    return report(name, n, elapsed, latencies)
