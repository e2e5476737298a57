"""What the consumer promises on real Kafka: an offset moves only after the effect is stored or the
message is dead-lettered; conflicts, missing aggregates, slow handlers and unexpected errors are
retried a bounded number of times; types nobody handles are skipped; /readyz learns why it waits."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from cqrs_contracts.envelope import Envelope, envelope_for, to_kafka_headers
from cqrs_contracts.events import OfferMade
from cqrs_contracts.registry import serialize
from cqrs_kit.broker import ensure_topics, make_broker
from cqrs_kit.consumer import Consumer
from cqrs_kit.errors import NotFound, TransientError, VersionConflict
from cqrs_kit.testing import eventually, offer_made, read_topic, skip_history, unique

Handler = Callable[[OfferMade, Envelope], Coroutine[Any, Any, None]]


def offer(marker: str, payment_type: str) -> OfferMade:
    return offer_made(
        offer_id=f"{marker}-{uuid.uuid4().hex[:6]}", quality_service_id=marker, payment_type=payment_type
    )


async def produce(bootstrap: str, *events: OfferMade, ce_type: str | None = None) -> list[tuple[int, int]]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    placed = []
    try:
        for event in events:
            headers = dict(to_kafka_headers(envelope_for(event, source="/test", correlation_id="c")))
            if ce_type:
                headers["ce_type"] = ce_type.encode()
            meta = await producer.send_and_wait(
                OfferMade.topic, serialize(event), key=event.offer_id.encode(), headers=list(headers.items())
            )
            placed.append((meta.partition, meta.offset))
    finally:
        await producer.stop()
    return placed


async def committed(bootstrap: str, group: str, partition: int) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    meta = offsets.get(TopicPartition(OfferMade.topic, partition))
    return int(meta.offset) if meta is not None else -1


@asynccontextmanager
async def consuming(
    bootstrap: str, marker: str, handler: Handler, group: str | None = None, **options: Any
) -> AsyncIterator[Consumer]:
    """A started consumer whose handler sees only this test's offers (in a new group, starting at the
    end of the topic, unless it joins ``group``)."""
    joining = group is not None
    group = group or unique("test-semantics")
    broker = make_broker(bootstrap, client_id="test-semantics")
    consumer = Consumer(broker, group=group, max_backoff=0.2, **options)

    @consumer.on(OfferMade)
    async def on_offer(event: OfferMade, envelope: Envelope) -> None:
        if event.quality_service_id == marker:
            await handler(event, envelope)

    consumer.subscribe()
    await ensure_topics(bootstrap, consumer.topics(), partitions=3)
    if not joining:
        await skip_history(group, OfferMade.topic)
    await broker.start()
    try:
        yield consumer
    finally:
        await broker.stop()


async def dead_letters(consumer: Consumer, keys: set[bytes]) -> dict[bytes, dict[str, bytes]]:
    found = await read_topic(
        consumer.dead_letter_topic, timeout=30, until=lambda rs: len({r.key for r in rs} & keys) >= len(keys)
    )
    return {r.key: dict(r.headers) for r in found if r.key in keys}


async def test_the_offset_waits_for_the_effect(infra: dict[str, str]) -> None:
    bootstrap, marker = infra["CQRS_KAFKA_BOOTSTRAP"], unique("QS").upper()
    database_up = asyncio.Event()
    applied: list[str] = []

    async def handler(event: OfferMade, envelope: Envelope) -> None:
        if not database_up.is_set():
            raise TransientError("database unreachable")
        applied.append(event.offer_id)

    async with consuming(bootstrap, marker, handler) as consumer:
        event = offer(marker, "Local")
        ((partition, offset),) = await produce(bootstrap, event)
        reason = await eventually(consumer.problem, timeout=30)
        assert "database unreachable" in reason
        await asyncio.sleep(1)
        assert await committed(bootstrap, consumer.group, partition) <= offset  # not past it
        database_up.set()

        async def moved() -> bool:
            return await committed(bootstrap, consumer.group, partition) > offset

        await eventually(moved, timeout=30)
        assert applied == [event.offer_id]
        assert await consumer.problem() is None


async def test_a_slow_record_does_not_hold_up_records_fetched_after_it(infra: dict[str, str]) -> None:
    """A batch is topped up with records fetched meanwhile, so one slow handler leaves the other
    slots working; a record of the same aggregate still waits its turn, and no offset moves past
    the slow record until it is done."""
    bootstrap, marker = infra["CQRS_KAFKA_BOOTSTRAP"], unique("QS").upper()
    release, started = asyncio.Event(), asyncio.Event()
    applied: list[str] = []

    async def handler(event: OfferMade, envelope: Envelope) -> None:
        if event.payment_type == "slow":
            started.set()
            await release.wait()
        applied.append(f"{event.payment_type} {event.offer_id}")

    async with consuming(bootstrap, marker, handler, concurrency=4, batch_size=2) as consumer:
        slow = offer(marker, "slow")
        ((partition, offset),) = await produce(bootstrap, slow)
        await asyncio.wait_for(started.wait(), 30)
        after = slow.model_copy(update={"payment_type": "after"})  # same aggregate, so same key
        fast = [offer(marker, "fast") for _ in range(5)]
        await produce(bootstrap, after, *fast)

        async def fast_done() -> bool:
            return sum(a.startswith("fast ") for a in applied) == len(fast)

        await eventually(fast_done, timeout=4, interval=0.05)  # while the slow one still runs
        assert not any(a.startswith(("slow ", "after ")) for a in applied)  # its aggregate waits
        assert await committed(bootstrap, consumer.group, partition) <= offset
        release.set()

        async def moved() -> bool:
            return await committed(bootstrap, consumer.group, partition) > offset + 1

        await eventually(moved, timeout=30)
        mine = [a for a in applied if not a.startswith("fast ")]
        assert mine == [f"slow {slow.offer_id}", f"after {slow.offer_id}"]


async def test_a_topped_up_batch_still_commits_under_a_steady_stream(infra: dict[str, str]) -> None:
    """Topping up is bounded (10 x batch_size records): under a stream that never pauses, offsets
    still move, so a restart repeats a bounded number of records."""
    bootstrap, marker = infra["CQRS_KAFKA_BOOTSTRAP"], unique("QS").upper()
    release, blocked, produced = asyncio.Event(), asyncio.Event(), asyncio.Event()
    seen = 0

    async def handler(event: OfferMade, envelope: Envelope) -> None:
        nonlocal seen
        seen += 1
        await produced.wait()  # every record is there to be fetched: the batch could go on for ever
        if seen == 25:  # past the first bounded batch (at most 10 x 2 records, plus one fetch)
            blocked.set()
            await release.wait()

    async with consuming(bootstrap, marker, handler, concurrency=2, batch_size=2) as consumer:

        async def total() -> int:
            return sum([await committed(bootstrap, consumer.group, p) for p in range(3)])

        start = await total()
        await produce(bootstrap, *(offer(marker, f"n{n}") for n in range(40)))
        produced.set()
        await asyncio.wait_for(blocked.wait(), 30)

        async def moved_while_blocked() -> bool:
            return await total() - start >= 20

        await eventually(moved_while_blocked, timeout=15)
        release.set()

        async def all_committed() -> bool:
            return await total() - start == 40

        await eventually(all_committed, timeout=30)


async def test_a_rebalance_while_a_batch_takes_in_more_records_completes(infra: dict[str, str]) -> None:
    """A second replica joins while the first is topping up a batch from a steady stream. During a
    rebalance aiokafka's fetch waits for the new assignment, and the assignment waits for the
    batch to commit: the batch must stop taking in records rather than wait, or the first replica
    stalls until the group's rebalance time-out (its 10 s session time-out) throws it out."""
    bootstrap, marker = infra["CQRS_KAFKA_BOOTSTRAP"], unique("QS").upper()
    handled: set[str] = set()

    async def handler(event: OfferMade, envelope: Envelope) -> None:
        await asyncio.sleep(0.02)  # records arrive faster than they are handled: batches top up
        handled.add(event.offer_id)

    async with consuming(bootstrap, marker, handler, concurrency=2, batch_size=5) as first:
        events = [offer(marker, f"n{n}") for n in range(240)]

        async def stream() -> None:
            for start in range(0, len(events), 20):
                await produce(bootstrap, *events[start : start + 20])
                await asyncio.sleep(0.1)

        streaming = asyncio.create_task(stream())

        async def under_way() -> bool:
            return len(handled) >= 30

        await eventually(under_way, timeout=30, interval=0.05)
        started = asyncio.get_running_loop().time()
        async with consuming(bootstrap, marker, handler, group=first.group, concurrency=2, batch_size=5):
            await streaming

            async def all_handled() -> bool:
                return handled >= {e.offer_id for e in events}

            await eventually(all_handled, timeout=8, interval=0.1)  # under the 10 s session time-out
        assert asyncio.get_running_loop().time() - started < 10


async def test_conflicts_are_retried_then_dead_lettered(infra: dict[str, str]) -> None:
    bootstrap, marker = infra["CQRS_KAFKA_BOOTSTRAP"], unique("QS").upper()
    calls: dict[str, int] = {}

    async def handler(event: OfferMade, envelope: Envelope) -> None:
        calls[event.payment_type] = calls.get(event.payment_type, 0) + 1
        if event.payment_type == "conflict-twice" and calls["conflict-twice"] <= 2:
            raise VersionConflict("someone saved first")
        if event.payment_type == "never-known":
            raise NotFound("no such claim yet")

    async with consuming(bootstrap, marker, handler, conflict_retries=3) as consumer:
        recovered, unknown = offer(marker, "conflict-twice"), offer(marker, "never-known")
        await produce(bootstrap, recovered, unknown)
        dead = await dead_letters(consumer, {unknown.offer_id.encode()})
    assert calls == {"conflict-twice": 3, "never-known": 4}  # 1 try + 3 retries, then the dead letters
    headers = dead[unknown.offer_id.encode()]
    assert headers["dlq_error"].startswith(b"NotFound: no such claim yet")
    assert headers["dlq_consumer_group"] == consumer.group.encode()


async def test_slow_and_failing_handlers_are_dead_lettered_after_bounded_tries(infra: dict[str, str]) -> None:
    bootstrap, marker = infra["CQRS_KAFKA_BOOTSTRAP"], unique("QS").upper()
    calls: dict[str, int] = {}
    after: list[str] = []

    async def handler(event: OfferMade, envelope: Envelope) -> None:
        calls[event.payment_type] = calls.get(event.payment_type, 0) + 1
        if event.payment_type == "hangs":
            await asyncio.sleep(3600)
        if event.payment_type == "breaks":
            raise KeyError("a bug")
        after.append(event.payment_type)

    async with consuming(
        bootstrap, marker, handler, handler_timeout=0.5, max_unexpected_attempts=2
    ) as consumer:
        hangs, breaks, fine = offer(marker, "hangs"), offer(marker, "breaks"), offer(marker, "fine")
        hangs = hangs.model_copy(update={"offer_id": breaks.offer_id + "h"})
        fine = fine.model_copy(update={"offer_id": breaks.offer_id + "f"})
        await produce(bootstrap, hangs, breaks, fine)
        dead = await dead_letters(consumer, {hangs.offer_id.encode(), breaks.offer_id.encode()})
        await eventually(lambda: asyncio.sleep(0, "fine" in after), timeout=30)
    assert calls == {"hangs": 2, "breaks": 2, "fine": 1}
    assert dead[hangs.offer_id.encode()]["dlq_error"].startswith(
        b"HandlerTimedOut: handler ran longer than 0.5 s"
    )
    assert dead[breaks.offer_id.encode()]["dlq_error"].startswith(b"KeyError")


async def test_types_nobody_handles_are_skipped_not_dead_lettered(infra: dict[str, str]) -> None:
    bootstrap, marker = infra["CQRS_KAFKA_BOOTSTRAP"], unique("QS").upper()
    seen: list[str] = []

    async def handler(event: OfferMade, envelope: Envelope) -> None:
        seen.append(event.offer_id)

    async with consuming(bootstrap, marker, handler) as consumer:
        newer, known = offer(marker, "Local"), offer(marker, "Local")
        ((partition, offset),) = await produce(
            bootstrap, newer, ce_type="uk.nhs.cqrs.participation.OfferMade.v9"
        )
        await produce(bootstrap, known)

        async def passed() -> bool:
            return await committed(bootstrap, consumer.group, partition) > offset

        await eventually(passed, timeout=30)
        await eventually(lambda: asyncio.sleep(0, known.offer_id in seen), timeout=30)
        assert consumer.skipped >= 1
        assert consumer.dead_lettered == 0
    assert seen == [known.offer_id]


async def test_an_unwritable_dead_letter_topic_holds_the_offset_and_says_so(infra: dict[str, str]) -> None:
    bootstrap, marker = infra["CQRS_KAFKA_BOOTSTRAP"], unique("QS").upper()

    async def handler(event: OfferMade, envelope: Envelope) -> None:
        raise VersionConflict("always")

    async with consuming(bootstrap, marker, handler, conflict_retries=0) as consumer:
        writable = consumer.dead_letter_topic
        consumer.dead_letter_topic = "not a topic!"  # Kafka refuses the name
        event = offer(marker, "Local")
        ((partition, offset),) = await produce(bootstrap, event)
        reason = await eventually(consumer.problem, timeout=30)
        assert reason.startswith("dead-letter topic unwritable")
        await asyncio.sleep(1)
        assert await committed(bootstrap, consumer.group, partition) <= offset
        consumer.dead_letter_topic = writable

        async def moved() -> bool:
            return await committed(bootstrap, consumer.group, partition) > offset

        await eventually(moved, timeout=30)
        assert await consumer.problem() is None
        assert event.offer_id.encode() in await dead_letters(consumer, {event.offer_id.encode()})
