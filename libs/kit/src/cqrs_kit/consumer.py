"""Consuming events: one consumer group per service; an offset is committed only after every record
of the batch before it is applied, skipped or on the dead-letter topic.

Records come in batches (one FastStream batch subscriber over aiokafka per topic). Within a
batch, each aggregate's records (same partition and key) are processed in order and different
aggregates concurrently; as handlers finish, the batch takes in records fetched meanwhile (so a
slow record never leaves the other slots idle), and one commit follows. Failures:

- unreachable infrastructure (database, broker, S3, clamd): retried with backoff, no bound, the
  offset stays put and ``/readyz`` says why;
- a version conflict or an aggregate not known yet: retried ``conflict_retries`` times, then
  dead-lettered;
- a handler over its time limit or an unexpected error: tried ``max_unexpected_attempts`` times,
  then dead-lettered with the error;
- any other business rule, or a message that cannot be read: dead-lettered at once;
- an event type no handler subscribes to: skipped (a newer event on a shared topic).

A dead-letter publish that fails is retried until it succeeds, with ``/readyz`` saying so.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal, TypeAlias, TypeVar

from aiokafka import ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from pydantic import ValidationError

from cqrs_contracts.envelope import Envelope, EnvelopeError, from_kafka_headers
from cqrs_contracts.events.base import Event
from cqrs_contracts.registry import EventDecodeError, UnknownEventType, deserialize
from cqrs_contracts.topics import dead_letter_topic
from cqrs_kit import logs, tracing
from cqrs_kit.errors import DomainError, NotFound, TransientError, VersionConflict
from cqrs_kit.mongo import TRANSIENT_MONGO_ERRORS, is_mongo_timeout

log = logs.get_logger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[Any, Envelope], Awaitable[None]]
Record: TypeAlias = ConsumerRecord[bytes, bytes]

#: Failures that say "try again later": the offset stays where it is until the effect is stored.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientError,
    *TRANSIENT_MONGO_ERRORS,
    KafkaConnectionError,
    KafkaTimeoutError,
    NodeNotReadyError,
    ConnectionError,
    TimeoutError,
)
#: Failures that say "this message can never be processed": dead-letter it and move on.
UNREADABLE: tuple[type[BaseException], ...] = (
    EnvelopeError,
    UnknownEventType,
    EventDecodeError,
    ValidationError,
)
#: Business outcomes that reloading and retrying may change: someone saved first, or the
#: aggregate's creating event has not been consumed yet.
RETRIED_DOMAIN: tuple[type[DomainError], ...] = (VersionConflict, NotFound)


#: A batch takes in records fetched meanwhile up to this many times its size ...
TOP_UP_RECORDS = 10
#: ... or for this long, then finishes and commits.
TOP_UP_SECONDS = 5.0
#: How often a batch waiting for its handlers looks for newly fetched records.
TOP_UP_POLL = 0.02
#: Taking in fetched records never waits longer than this (it waits only during a rebalance).
TOP_UP_FETCH_SECONDS = 0.1


class HandlerTimedOut(Exception):
    """A handler ran past its time limit."""


class _Quiesce(ConsumerRebalanceListener):  # type: ignore[misc]
    """Lets a rebalance take partitions away only between batches (after their commit)."""

    def __init__(self, lock: asyncio.Lock) -> None:
        self._lock = lock

    async def on_partitions_revoked(self, revoked: Any) -> None:
        async with self._lock:
            return

    async def on_partitions_assigned(self, assigned: Any) -> None:
        return


class Consumer:
    """A service's event subscriptions under one explicit consumer group."""

    def __init__(
        self,
        broker: KafkaBroker,
        *,
        group: str,
        max_backoff: float = 10.0,
        max_unexpected_attempts: int = 5,
        conflict_retries: int = 5,
        handler_timeout: float = 120.0,
        batch_size: int = 100,
        concurrency: int = 16,
        offset_reset: Literal["earliest", "latest"] = "earliest",
    ) -> None:
        self.broker = broker
        self.group = group
        self.dead_letter_topic = dead_letter_topic(group)
        self._handlers: dict[str, dict[str, Handler]] = {}
        self._max_backoff = max_backoff
        self._max_unexpected = max_unexpected_attempts
        self._conflict_retries = conflict_retries
        self._handler_timeout = handler_timeout
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._offset_reset = offset_reset
        self._problems: dict[str, str] = {}
        self.dead_lettered = 0
        self.skipped = 0
        self.tracer: Any = None  # set by cqrs_kit.tracing.install when tracing is on
        self.observers: list[Callable[[str, float], None]] = []
        """Called with (event type, seconds) after each record a handler took (metrics use it)."""

    def on(
        self, event_type: type[E]
    ) -> Callable[[Callable[[E, Envelope], Awaitable[None]]], Callable[[E, Envelope], Awaitable[None]]]:
        """Register a handler of one event type (its topic comes from the event class).

        Several parts of a service may handle one type: each runs, in the order registered, and a
        retry runs them all again (so each must be idempotent, as every handler must be)."""

        def register(
            handler: Callable[[E, Envelope], Awaitable[None]],
        ) -> Callable[[E, Envelope], Awaitable[None]]:
            by_type = self._handlers.setdefault(event_type.topic, {})
            earlier = by_type.get(event_type.ce_type())
            by_type[event_type.ce_type()] = handler if earlier is None else _in_turn(earlier, handler)
            return handler

        return register

    def topics(self) -> list[str]:
        """Every topic this service consumes, plus its dead-letter topic (for start-up creation)."""
        return [*self._handlers, self.dead_letter_topic]

    @property
    def subscribed(self) -> bool:
        """Whether any handler is registered (a service without any has no consumer check)."""
        return bool(self._handlers)

    async def problem(self) -> str | None:
        """Why the consumer is stuck right now (for /readyz), or None when it is not."""
        return "; ".join(sorted(set(self._problems.values()))) or None

    def subscribe(self) -> None:
        """Attach one FastStream batch subscriber per topic (a backlog on one topic never holds up
        another); call once, before the app is built."""
        for topic in self._handlers:
            self._subscribe(topic)

    def _subscribe(self, topic: str) -> None:
        lock = asyncio.Lock()

        async def raw(message: Any) -> Any:
            # Hand the untouched Kafka records to the kit: envelope and body are parsed by us, so
            # a malformed message reaches the dead-letter path instead of failing in a decoder.
            return {"batch": (message.raw_message, message.consumer)}

        @self.broker.subscriber(
            topic,
            group_id=self.group,
            batch=True,
            max_records=self._batch_size,
            # FastStream sleeps this long again after an empty fetch: short, so a record that
            # arrives after a quiet spell waits at most about 2 x 50 ms before it is taken.
            batch_timeout_ms=50,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset=self._offset_reset,
            # One consumer per topic shares the group, so each join or leave is a rebalance the
            # others only notice at their next heartbeat: 0.5 s instead of aiokafka's 3 s keeps a
            # service with six topics from taking 20 s to start or stop.
            heartbeat_interval_ms=500,
            decoder=raw,
            listener=_Quiesce(lock),
            title=f"{self.group}:{topic}",
        )
        async def consume(batch: Any) -> None:
            # FastStream's own DI passes the decoded dict; the FastAPI integration unpacks it.
            records, kafka = batch["batch"] if isinstance(batch, dict) else batch

            async def more() -> list[Record]:  # what has been fetched meanwhile, without waiting
                # During a rebalance aiokafka's getmany waits for the new assignment, which waits
                # for this batch to let go of the lock: a fetch that does not answer at once means
                # a rebalance is under way, and the batch stops taking in more (TimeoutError).
                fetched = await asyncio.wait_for(
                    kafka.getmany(timeout_ms=0, max_records=self._batch_size), TOP_UP_FETCH_SECONDS
                )
                return [record for part in fetched.values() for record in part]

            async with lock:
                offsets = await self.handle_batch(list(records), more=more)
                await self._commit(kafka, offsets)

    async def _commit(self, kafka: Any, offsets: dict[TopicPartition, int]) -> None:
        if not offsets:
            return
        try:
            await kafka.commit(offsets)
        except Exception as exc:  # the group moved on: the new owner reads these again (idempotent)
            log.warning("offset commit failed; the records will be delivered again", error=repr(exc))

    async def handle_batch(
        self, records: Sequence[Record], more: Callable[[], Awaitable[Sequence[Record]]] | None = None
    ) -> dict[TopicPartition, int]:
        """Process a batch to the end and return the offsets to commit (only once every record is
        applied, skipped or dead-lettered). One aggregate's records (same partition and key) run in
        order; different aggregates run concurrently, up to ``concurrency`` at once.

        With ``more`` (records fetched meanwhile), the batch is topped up as handlers finish, so
        ``concurrency`` records stay in flight instead of the batch's tail running nearly alone;
        topping up stops after ``TOP_UP_RECORDS`` x ``batch_size`` records or ``TOP_UP_SECONDS``,
        and one commit covers it all."""
        gate = asyncio.Semaphore(self._concurrency)
        offsets: dict[TopicPartition, int] = {}
        chains: dict[tuple[TopicPartition, bytes | None], list[Record]] = {}
        running: set[asyncio.Task[None]] = set()

        async def run(chain: tuple[TopicPartition, bytes | None]) -> None:
            async with gate:
                queue = chains[chain]
                while queue:  # records of the same aggregate added meanwhile join the queue
                    await self.handle(queue[0])
                    queue.pop(0)
                del chains[chain]

        def add(batch: Sequence[Record]) -> None:
            for record in batch:
                where = TopicPartition(record.topic, record.partition)
                offsets[where] = max(offsets.get(where, 0), record.offset + 1)
                chain = (where, record.key)
                if chain in chains:
                    chains[chain].append(record)
                    continue
                chains[chain] = [record]
                task = asyncio.create_task(run(chain))
                running.add(task)

        add(records)
        taken, deadline = len(records), time.monotonic() + TOP_UP_SECONDS
        try:
            while True:
                if (
                    more is not None
                    and len(chains) < self._concurrency
                    and taken < TOP_UP_RECORDS * self._batch_size
                    and time.monotonic() < deadline
                ):
                    try:
                        fresh = await more()
                    except TimeoutError:  # a rebalance waits for this batch: finish it
                        more, fresh = None, []
                    except Exception as exc:  # the batch goes on with what it has; so does the loop
                        log.warning("could not take in more records; finishing the batch", error=repr(exc))
                        more, fresh = None, []
                    if fresh:
                        add(fresh)
                        taken += len(fresh)
                        continue
                if not running:  # nothing in flight and nothing more to take in: the batch is done
                    break
                done, _ = await asyncio.wait(
                    running, timeout=TOP_UP_POLL, return_when=asyncio.FIRST_COMPLETED
                )
                running.difference_update(done)
                for task in done:
                    task.result()  # handle raises only on shutdown: let that through
        finally:
            for task in running:
                task.cancel()
        return offsets

    @tracing.consuming
    async def handle(self, record: Record) -> None:
        """Process one record to the end: applied, skipped, or dead-lettered. Raises only on shutdown."""
        logs.clear()
        try:
            envelope = from_kafka_headers(record.headers)
        except EnvelopeError as exc:
            await self._dead_letter(record, exc)
            return
        logs.bind(correlation_id=envelope.correlation_id, event_id=envelope.id, event_type=envelope.type)
        handler = self._handlers.get(record.topic, {}).get(envelope.type)
        if handler is None:
            self.skipped += 1  # another service's concern on a shared topic, or a newer event
            return
        started = time.perf_counter()
        try:
            try:
                event = deserialize(envelope.type, record.value or b"")
            except UNREADABLE as exc:
                await self._dead_letter(record, exc)
                return
            await self._apply(record, handler, event, envelope)
        finally:
            for observe in self.observers:
                observe(envelope.type, time.perf_counter() - started)

    async def _apply(self, record: Record, handler: Handler, event: Event, envelope: Envelope) -> None:
        where = f"{record.topic}[{record.partition}]@{record.offset}"
        delay, unexpected, conflicts = 0.1, 0, 0
        while True:
            try:
                await self._call(handler, event, envelope)
                self._problems.pop(where, None)
                return
            except RETRIED_DOMAIN as exc:
                conflicts += 1
                if conflicts > self._conflict_retries:
                    self._problems.pop(where, None)
                    await self._dead_letter(record, exc)
                    return
                log.info("retrying after a conflict or a missing aggregate", error=str(exc))
            except DomainError as exc:
                self._problems.pop(where, None)
                await self._dead_letter(record, exc)
                return
            except HandlerTimedOut as exc:
                unexpected += 1
                if unexpected >= self._max_unexpected:
                    self._problems.pop(where, None)
                    await self._dead_letter(record, exc)
                    return
                log.warning("handler timed out, retrying", attempt=unexpected)
            except Exception as exc:
                if isinstance(exc, TRANSIENT_ERRORS) or is_mongo_timeout(exc):
                    self._problems[where] = f"retrying {record.topic}: {exc.__class__.__name__}: {exc}"[:300]
                    log.warning("transient failure, retrying without moving the offset", error=repr(exc))
                else:
                    unexpected += 1
                    if unexpected >= self._max_unexpected:
                        log.exception("handler kept failing; dead-lettering")
                        self._problems.pop(where, None)
                        await self._dead_letter(record, exc)
                        return
                    log.warning("unexpected failure, retrying", error=repr(exc), attempt=unexpected)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_backoff)

    async def _call(self, handler: Handler, event: Event, envelope: Envelope) -> None:
        started = time.monotonic()
        try:
            async with asyncio.timeout(self._handler_timeout) as limit:
                await handler(event, envelope)
        except TimeoutError:
            if limit.expired():
                took = time.monotonic() - started
                msg = f"handler ran longer than {self._handler_timeout:g} s (stopped after {took:.1f} s)"
                raise HandlerTimedOut(msg) from None
            raise

    async def _dead_letter(self, record: Record, error: BaseException) -> None:
        """Publish the record unchanged to the group's dead-letter topic, retrying until Kafka acks."""
        headers = {k: (v or b"").decode(errors="replace") for k, v in record.headers or ()}
        headers.update(
            {
                "dlq_original_topic": record.topic,
                "dlq_original_partition": str(record.partition),
                "dlq_original_offset": str(record.offset),
                "dlq_consumer_group": self.group,
                "dlq_error": f"{error.__class__.__name__}: {error}"[:2000],
            }
        )
        where = f"dead-letter {record.topic}[{record.partition}]@{record.offset}"
        delay = 0.1
        while True:
            try:
                await asyncio.wait_for(
                    self.broker.publish(
                        record.value or b"", topic=self.dead_letter_topic, key=record.key, headers=headers
                    ),
                    self._handler_timeout,
                )
                break
            except Exception as exc:
                self._problems[where] = f"dead-letter topic unwritable: {exc.__class__.__name__}: {exc}"[:300]
                log.warning("dead-letter publish failed, retrying", error=repr(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_backoff)
        self._problems.pop(where, None)
        self.dead_lettered += 1
        log.warning(
            "message dead-lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error=headers["dlq_error"],
        )


def _in_turn(first: Handler, then: Handler) -> Handler:
    async def both(event: Any, envelope: Envelope) -> None:
        await first(event, envelope)
        await then(event, envelope)

    return both
