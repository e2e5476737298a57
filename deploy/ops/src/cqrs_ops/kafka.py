"""Kafka as an operator sees it: consumer lag per group and partition, reading a topic to its end."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeAlias

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"
#: Empty polls in a row after which a read stops (records below the end offset that never come:
#: transaction markers, compacted records).
IDLE_POLLS = 5
#: Called as work advances: (done, total).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Lag:
    """How far one consumer group is behind on one partition."""

    group: str
    topic: str
    partition: int
    committed: int
    end: int

    @property
    def lag(self) -> int:
        """Messages on the partition the group has not committed yet."""
        return max(self.end - self.committed, 0)


@asynccontextmanager
async def admin_client(bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    """An admin client, closed afterwards."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


@asynccontextmanager
async def plain_consumer(bootstrap: str, topics: Iterable[str] = ()) -> AsyncIterator[AIOKafkaConsumer]:
    """A consumer outside any group (it commits nothing), closed afterwards.

    Naming the topics it will ask about fetches their metadata in one request: left to itself,
    aiokafka learns one unknown topic per metadata round trip (12 s for 100 dead-letter topics).
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        names = sorted(set(topics))
        if names:
            consumer._client.set_topics(names)  # aiokafka has no public way to batch this
            await consumer._client.force_metadata_update()
        yield consumer
    finally:
        await consumer.stop()


async def partitions(bootstrap: str, *topic: str) -> list[TopicPartition]:
    """Every partition of the topics (none for a topic that does not exist)."""
    if not topic:
        return []
    async with admin_client(bootstrap) as admin:
        described = await admin.describe_topics(list(topic))
    return sorted(
        TopicPartition(d["topic"], p["partition"])
        for d in described
        if not d.get("error_code")
        for p in d["partitions"]
    )


async def topics(bootstrap: str, prefix: str = "") -> list[str]:
    """Topic names starting with a prefix."""
    async with admin_client(bootstrap) as admin:
        return sorted(t for t in await admin.list_topics() if t.startswith(prefix))


async def groups(bootstrap: str, prefix: str = "") -> list[str]:
    """Consumer group ids starting with a prefix."""
    async with admin_client(bootstrap) as admin:
        listed = await admin.list_consumer_groups()
    return sorted(g[0] for g in listed if g[0].startswith(prefix))


async def consumer_lag(bootstrap: str, group_ids: list[str]) -> list[Lag]:
    """Committed offset, end offset and lag of each partition each group has committed on."""
    committed: dict[str, dict[TopicPartition, int]] = {}
    async with admin_client(bootstrap) as admin:
        for group in group_ids:
            offsets = await admin.list_consumer_group_offsets(group)
            committed[group] = {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
    every = sorted({tp for offsets in committed.values() for tp in offsets})
    if not every:
        return []
    async with plain_consumer(bootstrap, {tp.topic for tp in every}) as consumer:
        ends = await consumer.end_offsets(every)
    return [
        Lag(group, tp.topic, tp.partition, offset, ends[tp])
        for group, offsets in committed.items()
        for tp, offset in sorted(offsets.items())
    ]


async def read_to_end(
    bootstrap: str,
    topic: str,
    *,
    keep: Callable[[Record], bool] = lambda _: True,
    progress: Progress | None = None,
) -> list[Record]:
    """Every record of a topic from its beginning to the end it had when reading started."""
    parts = await partitions(bootstrap, topic)
    if not parts:
        return []
    async with plain_consumer(bootstrap, [topic]) as consumer:
        starts = await consumer.beginning_offsets(parts)
        ends = await consumer.end_offsets(parts)
        total = sum(ends[tp] - starts[tp] for tp in parts)
        records: list[Record] = []
        done = 0
        remaining = {tp for tp in parts if ends[tp] > starts[tp]}
        consumer.assign(sorted(remaining))
        if remaining:
            await consumer.seek_to_beginning(*remaining)
        idle = 0
        while remaining and idle < IDLE_POLLS:
            batch = await consumer.getmany(timeout_ms=1000)
            idle = 0 if batch else idle + 1
            for tp, part in batch.items():
                for record in part:
                    if record.offset < ends[tp]:
                        done += 1
                        if keep(record):
                            records.append(record)
                if part and part[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
                    consumer.pause(tp)
            if progress:
                progress(done, total)
    return records


def headers_of(record: Record) -> dict[str, str]:
    """A record's headers as text."""
    return {k: (v or b"").decode(errors="replace") for k, v in record.headers or ()}
