"""Kafka: keyed records keep their key, value, headers and per-key order, through FastStream and aiokafka."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from cqrs_kit.broker import ensure_topics
from cqrs_kit.testing import read_topic

PARTITIONS = 3  # more than one, so "same key, same partition" is a real claim


@pytest.fixture
async def topic(infra: dict[str, str]) -> AsyncIterator[str]:
    """A topic no other test uses, with several partitions; deleted afterwards."""
    bootstrap = infra["CQRS_KAFKA_BOOTSTRAP"]
    name = f"test.infra.{uuid.uuid4().hex}"
    assert await ensure_topics(bootstrap, [name], partitions=PARTITIONS) == [name]
    yield name
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([name])
    finally:
        await admin.close()


async def test_faststream_keyed_messages_arrive_with_headers_on_one_partition_in_order(
    infra: dict[str, str], topic: str
) -> None:
    """The services' own set-up (idempotent producer, acks=all) delivers what it publishes, as sent."""
    received: asyncio.Queue[tuple[dict[str, int], KafkaMessage]] = asyncio.Queue()
    broker = KafkaBroker(infra["CQRS_KAFKA_BOOTSTRAP"], enable_idempotence=True, acks="all")

    @broker.subscriber(topic, group_id=f"test-infra-{uuid.uuid4().hex}", auto_offset_reset="earliest")
    async def collect(body: dict[str, int], message: KafkaMessage) -> None:
        await received.put((body, message))

    key = f"aggregate-{uuid.uuid4().hex}".encode()
    async with broker:
        await broker.start()
        first = await broker.publish(
            b'{"n": 1}', topic=topic, key=key, headers={"ce_type": "test.first", "actor": "a"}
        )
        second = await broker.publish(
            b'{"n": 2}', topic=topic, key=key, headers={"ce_type": "test.second", "actor": "a"}
        )
        got = [await asyncio.wait_for(received.get(), 30) for _ in range(2)]

    assert first.partition == second.partition
    assert second.offset == first.offset + 1
    assert [body for body, _ in got] == [{"n": 1}, {"n": 2}]  # decoded as the handler asked
    messages = [m for _, m in got]
    assert [m.body for m in messages] == [b'{"n": 1}', b'{"n": 2}']
    records = [m.raw_message for m in messages]
    assert all(isinstance(r, ConsumerRecord) for r in records)
    assert [r.key for r in records if isinstance(r, ConsumerRecord)] == [key, key]
    assert {r.partition for r in records if isinstance(r, ConsumerRecord)} == {first.partition}
    assert [m.headers["ce_type"] for m in messages] == ["test.first", "test.second"]
    assert all(m.headers["actor"] == "a" for m in messages)


async def test_aiokafka_keyed_records_arrive_with_headers_on_one_partition_in_order(
    infra: dict[str, str], topic: str
) -> None:
    """The raw client agrees: same key -> same partition, offsets in send order, headers intact."""
    bootstrap = infra["CQRS_KAFKA_BOOTSTRAP"]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    key = f"aggregate-{uuid.uuid4().hex}".encode()
    try:
        sent = [
            await producer.send_and_wait(
                topic, value=f"event-{n}".encode(), key=key, headers=[("seq", str(n).encode())]
            )
            for n in range(5)
        ]
    finally:
        await producer.stop()

    assert len({m.partition for m in sent}) == 1
    assert [m.offset for m in sent] == list(range(sent[0].offset, sent[0].offset + 5))

    records = await read_topic(topic, until=lambda rs: len(rs) >= 5)
    assert [r.value for r in records] == [f"event-{n}".encode() for n in range(5)]
    assert {r.key for r in records} == {key}
    assert {r.partition for r in records} == {sent[0].partition}
    assert [dict(r.headers)["seq"] for r in records] == [str(n).encode() for n in range(5)]


async def test_aiokafka_consumer_group_resumes_after_its_committed_offset(
    infra: dict[str, str], topic: str
) -> None:
    """A group that committed an offset does not see those records again (what services rely on)."""
    bootstrap = infra["CQRS_KAFKA_BOOTSTRAP"]
    group = f"test-infra-{uuid.uuid4().hex}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for n in range(3):
            await producer.send_and_wait(topic, value=f"v{n}".encode(), key=b"same")
    finally:
        await producer.stop()

    async def consume(expected: int) -> list[bytes | None]:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        values: list[bytes | None] = []
        try:
            for _ in range(60):
                batch = await consumer.getmany(timeout_ms=500)
                values.extend(r.value for part in batch.values() for r in part)
                if len(values) >= expected:
                    break
            await consumer.commit()
        finally:
            await consumer.stop()
        return values

    assert await consume(3) == [b"v0", b"v1", b"v2"]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=b"v3", key=b"same")
    finally:
        await producer.stop()
    assert await consume(1) == [b"v3"]
