"""Dead-letter topics (``cqrs.deadletter.<group>``): list, show, replay to the original topic, discard.

A dead-letter topic is append-only, so what an operator did with a message is recorded elsewhere:
one record per decision on ``cqrs.ops.deadletter-resolutions``, keyed by the dead letter's
``<topic>/<partition>/<offset>``, with a JSON body ``{"action": "replayed"|"discarded", "reason",
"operator", "at", "topic"}``. A message is pending until such a record exists. The resolutions topic
is the audit trail: keep it forever (retention.ms=-1).

Replaying publishes the original key, body and CloudEvents headers (without the ``dlq_`` ones, plus
``cqrs_replayed_from``) to the original topic and then records the decision. Every consumer group of
that topic sees the event again, which is safe because every handler is idempotent: an effect that
was stored is not stored twice. A crash between the two steps replays once more on the next try, with
the same outcome.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from aiokafka.structs import TopicPartition

from cqrs_kit.broker import ensure_topics
from cqrs_ops.kafka import Progress, Record, headers_of, partitions, plain_consumer, read_to_end, topics

PREFIX = "cqrs.deadletter."
RESOLUTIONS = "cqrs.ops.deadletter-resolutions"
DLQ_HEADERS = (
    "dlq_original_topic",
    "dlq_original_partition",
    "dlq_original_offset",
    "dlq_consumer_group",
    "dlq_error",
)


@dataclass(frozen=True)
class DeadLetter:
    """One message on a dead-letter topic, with where it came from and why it failed."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @property
    def ref(self) -> str:
        """Its address: ``<topic>/<partition>/<offset>``."""
        return f"{self.topic}/{self.partition}/{self.offset}"

    @property
    def origin(self) -> str:
        """Where the consumer read it: ``<topic>/<partition>/<offset>``."""
        h = self.headers
        return (
            f"{h.get('dlq_original_topic')}/{h.get('dlq_original_partition')}/{h.get('dlq_original_offset')}"
        )

    @property
    def error(self) -> str:
        """The exception that dead-lettered it."""
        return self.headers.get("dlq_error", "")

    @property
    def event_type(self) -> str:
        """The CloudEvents type, when the message had one."""
        return self.headers.get("ce_type", "?")

    @classmethod
    def of(cls, record: Record) -> DeadLetter:
        """From a Kafka record."""
        return cls(
            record.topic, record.partition, record.offset, record.key, record.value or b"", headers_of(record)
        )


@dataclass(frozen=True)
class Summary:
    """One dead-letter topic: how many messages, how many were replayed or discarded."""

    topic: str
    total: int
    resolved: int

    @property
    def group(self) -> str:
        """The consumer group that dead-lettered them."""
        return self.topic.removeprefix(PREFIX)

    @property
    def pending(self) -> int:
        """Messages nobody has decided about yet."""
        return self.total - self.resolved


def topic_of(group_or_topic: str) -> str:
    """Accept a consumer group (``cqrs-claims``) or the topic itself."""
    return group_or_topic if group_or_topic.startswith(PREFIX) else PREFIX + group_or_topic


async def resolutions(bootstrap: str) -> dict[str, dict[str, str]]:
    """Every recorded decision, by dead letter address (the latest decision wins)."""
    decided: dict[str, dict[str, str]] = {}
    for record in await read_to_end(bootstrap, RESOLUTIONS):
        if record.key:
            decided[record.key.decode()] = json.loads(record.value or b"{}")
    return decided


async def letters(bootstrap: str, topic: str, progress: Progress | None = None) -> list[DeadLetter]:
    """Every message of one dead-letter topic."""
    return [DeadLetter.of(r) for r in await read_to_end(bootstrap, topic, progress=progress)]


async def summaries(bootstrap: str) -> list[Summary]:
    """Every dead-letter topic with its counts (from offsets: no message is read)."""
    decided = await resolutions(bootstrap)
    names = await topics(bootstrap, PREFIX)
    parts = await partitions(bootstrap, *names)
    async with plain_consumer(bootstrap, names) as consumer:
        starts = await consumer.beginning_offsets(parts) if parts else {}
        ends = await consumer.end_offsets(parts) if parts else {}
    found = []
    for name in names:
        total = sum(ends[tp] - starts[tp] for tp in parts if tp.topic == name)
        resolved = sum(1 for ref in decided if ref.startswith(f"{name}/") and _within(ref, starts, ends))
        found.append(Summary(name, total, resolved))
    return found


def _within(ref: str, starts: dict[TopicPartition, int], ends: dict[TopicPartition, int]) -> bool:
    """Whether a decided address is still on its topic (not removed by retention)."""
    topic, partition, offset = ref.rsplit("/", 2)
    tp = TopicPartition(topic, int(partition))
    return tp in ends and starts[tp] <= int(offset) < ends[tp]


async def pending(bootstrap: str, topic: str, progress: Progress | None = None) -> list[DeadLetter]:
    """The messages of a dead-letter topic that were neither replayed nor discarded."""
    decided = await resolutions(bootstrap)
    return [letter for letter in await letters(bootstrap, topic, progress) if letter.ref not in decided]


async def find(bootstrap: str, topic: str, partition: int, offset: int) -> DeadLetter | None:
    """One message by its address."""
    for letter in await letters(bootstrap, topic):
        if (letter.partition, letter.offset) == (partition, offset):
            return letter
    return None


def _decision(letter: DeadLetter, action: str, reason: str, operator: str) -> bytes:
    body = {
        "action": action,
        "reason": reason,
        "operator": operator,
        "at": dt.datetime.now(dt.UTC).isoformat(),
        "topic": letter.headers.get("dlq_original_topic", ""),
        "error": letter.error,
        "event_type": letter.event_type,
    }
    return json.dumps(body).encode()


async def _producer(bootstrap: str) -> AIOKafkaProducer:
    await ensure_topics(bootstrap, [RESOLUTIONS], partitions=1)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    return producer


async def replay(
    bootstrap: str,
    chosen: Iterable[DeadLetter],
    *,
    operator: str,
    reason: str = "replayed",
    progress: Progress | None = None,
) -> int:
    """Publish each message again to its original topic, then record that it was replayed."""
    todo = list(chosen)
    producer = await _producer(bootstrap)
    try:
        for done, letter in enumerate(todo, start=1):
            original = letter.headers.get("dlq_original_topic")
            if not original:
                msg = f"{letter.ref} has no dlq_original_topic header: it cannot be replayed"
                raise ValueError(msg)
            headers = [(k, v.encode()) for k, v in letter.headers.items() if k not in DLQ_HEADERS]
            headers.append(("cqrs_replayed_from", letter.ref.encode()))
            await producer.send_and_wait(original, letter.value, key=letter.key, headers=headers)
            await producer.send_and_wait(
                RESOLUTIONS, _decision(letter, "replayed", reason, operator), key=letter.ref.encode()
            )
            if progress:
                progress(done, len(todo))
    finally:
        await producer.stop()
    return len(todo)


async def discard(bootstrap: str, letter: DeadLetter, *, reason: str, operator: str) -> None:
    """Record that a message will never be processed, and why; it stays on its topic for the record."""
    if not reason.strip():
        msg = "a reason is required to discard a dead letter"
        raise ValueError(msg)
    producer = await _producer(bootstrap)
    try:
        await producer.send_and_wait(
            RESOLUTIONS, _decision(letter, "discarded", reason, operator), key=letter.ref.encode()
        )
    finally:
        await producer.stop()
