"""Refolding the Directory from the whole of identity's organisation topic (operators and tests)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

from cqrs_contracts.envelope import EnvelopeError, from_kafka_headers
from cqrs_contracts.registry import EventDecodeError, UnknownEventType, deserialize
from cqrs_contracts.topics import IDENTITY_ORGANISATION

if TYPE_CHECKING:
    from cqrs_kit.directory import Directory


async def replay(directory: Directory, bootstrap: str, *, timeout: float = 30.0) -> int:
    """Apply every readable event of the topic, start to end (no consumer group); returns how many."""
    consumer = AIOKafkaConsumer(
        IDENTITY_ORGANISATION,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    applied = 0
    try:
        deadline = time.monotonic() + timeout
        ends: dict[TopicPartition, int] = {}
        while time.monotonic() < deadline:
            if not ends and consumer.assignment():  # ends as of the start, once partitions are known
                ends = await consumer.end_offsets(list(consumer.assignment()))
            positions = {p: await consumer.position(p) for p in ends}
            if ends and all(positions[p] >= end for p, end in ends.items()):
                break
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    try:
                        envelope = from_kafka_headers(record.headers)
                        event = deserialize(envelope.type, record.value or b"")
                    except (EnvelopeError, UnknownEventType, EventDecodeError, ValueError):
                        continue  # the consumer's dead-letter path deals with unreadable records
                    await directory.apply(event, event_id=envelope.id)
                    applied += 1
        else:
            msg = f"the Directory was not refolded from {IDENTITY_ORGANISATION} within {timeout}s"
            raise TimeoutError(msg)
    finally:
        await consumer.stop()
    return applied
