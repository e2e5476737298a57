"""Outbox entries carried by commit records, and the relay that publishes them.

A save inserts one immutable commit record (see cqrs_kit.aggregates) holding that save's outbox
entries and ``published: False``. The relay reads unpublished records, sends each aggregate's
entries in version order without waiting for each ack (the idempotent producer keeps order within
a partition), waits for the acks of the batch and then marks the batch's records published with
one ``update_many``. It writes nothing else: never a snapshot, never a field a save writes.
A crash between the acks and the mark publishes again, which consumers tolerate.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from cqrs_contracts.envelope import envelope_for, to_kafka_headers
from cqrs_contracts.events.base import Event
from cqrs_contracts.registry import serialize
from cqrs_kit import tracing
from cqrs_kit.logs import get_logger
from cqrs_kit.mongo import Collection, Document, Index

log = get_logger(__name__)

#: Suffix of the collection holding an aggregate collection's commit records.
COMMITS = "_events"
PUBLISHED = "published"

#: Enqueue one entry with the producer and return the broker's acknowledgement, to be awaited.
Send = Callable[[Mapping[str, Any]], Awaitable[Awaitable[Any]]]


def commits_of(collection: str) -> str:
    """The name of the collection holding the commit records of an aggregate collection."""
    return f"{collection}{COMMITS}"


def commit_indexes(collections: Sequence[str]) -> list[Index]:
    """Indexes of the commit records: the relay's unpublished scan, loading, and 'already applied'."""
    indexes: list[Index] = []
    for name in collections:
        indexes += [
            Index(commits_of(name), [PUBLISHED]),
            Index(commits_of(name), ["aggregate_id", "version"]),
            Index(commits_of(name), ["cause"]),
        ]
    return indexes


def sequence(version: int, index: int) -> str:
    """CloudEvents ``sequence``: lexicographically ordered by aggregate version, then position in
    the save, so a read model can ignore a stale duplicate by comparing strings."""
    return f"{version:012d}.{index:04d}"


def outbox_entries(
    events: Sequence[Event],
    *,
    source: str,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    actor: str | None = None,
    version: int | None = None,
) -> list[Document]:
    """Turn new events into outbox entries carrying their topic, key, CloudEvents headers and body."""
    entries: list[Document] = []
    correlation = correlation_id or str(uuid.uuid4())
    trace_context = tracing.context_headers()  # the relay publishes inside the save's trace
    for index, event in enumerate(events):
        envelope = envelope_for(
            event, source=source, correlation_id=correlation, causation_id=causation_id, actor=actor
        )
        headers = {k: v.decode() for k, v in to_kafka_headers(envelope)}  # a dict: no nested arrays
        if version is not None:
            headers["ce_sequence"] = sequence(version, index)
        entries.append(
            {
                "id": envelope.id,
                "topic": event.topic,
                "key": event.aggregate_id(),
                "type": envelope.type,
                "headers": {**headers, **trace_context},
                "body": serialize(event).decode(),
            }
        )
    return entries


class OutboxRelay:
    """Publishes the unpublished commit records of the watched collections.

    Saves wake it naming the aggregate; it then publishes that aggregate's unpublished records.
    Its safety net runs on its own timer (at start-up, then every ``poll_seconds`` whatever the
    load) and publishes records older than ``grace_seconds`` that nobody published, e.g. after a
    crash. A failing aggregate backs off alone; the others go on.
    """

    def __init__(
        self,
        collections: Sequence[Collection],
        send: Send,
        *,
        poll_seconds: float = 2.0,
        max_backoff: float = 10.0,
        batch_size: int = 1000,
        grace_seconds: float | None = None,
        ack_timeout: float = 60.0,
    ) -> None:
        self._collections = {c.name.removesuffix(COMMITS): c for c in collections}
        self._send = send
        self._poll = poll_seconds
        self._max_backoff = max_backoff
        self._batch = batch_size
        self._grace = 2 * poll_seconds if grace_seconds is None else grace_seconds
        self._ack_timeout = ack_timeout
        self._wake = asyncio.Event()
        self._hints: set[tuple[str, str]] = set()
        self._drain_due = True  # the first pass after start is a full drain
        self._everything = True
        self._backoff: dict[tuple[str, str], tuple[float, float]] = {}  # key -> (retry at, delay)
        self._tasks: list[asyncio.Task[None]] = []
        self.published = 0

    def wake(self, collection: str | None = None, aggregate_id: str | None = None) -> None:
        """Ask the relay to look now (called after a save, naming what was saved)."""
        if collection is not None and aggregate_id is not None:
            self._hints.add((collection, aggregate_id))
        self._wake.set()

    def start(self) -> None:
        """Run in the background until stopped: the publishing loop and the safety-net timer."""
        self._drain_due = self._everything = True
        self._tasks = [
            asyncio.create_task(self._run(), name="outbox-relay"),
            asyncio.create_task(self._timer(), name="outbox-relay-timer"),
        ]

    async def stop(self) -> None:
        """Stop; unpublished records stay unpublished for the next start (or another replica)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _timer(self) -> None:
        while True:
            await asyncio.sleep(self._poll)
            self._drain_due = True
            self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.run_once()
            except Exception as exc:  # the database or broker failed as a whole: try again soon
                log.warning("outbox relay pass failed, will retry", error=repr(exc))
                await asyncio.sleep(min(1.0, self._max_backoff))
                self._drain_due = True
                self._wake.set()

    async def drain(self) -> int:
        """Publish everything unpublished now, whatever its age; returns how many entries."""
        self._drain_due = self._everything = True
        before = self.published
        while True:
            count = await self.run_once()
            if count == 0 and not self._hints:
                return self.published - before
            self._drain_due = self._everything = True

    async def run_once(self) -> int:
        """One pass: read the unpublished records due now, publish them, mark them. Returns entries."""
        hints, self._hints = self._hints, set()
        drain, everything = self._drain_due, self._everything
        self._drain_due = self._everything = False
        count = 0
        try:
            for name, collection in self._collections.items():
                wanted = {a for c, a in hints if c == name}
                if not wanted and not drain:
                    continue
                count += await self._pass(name, collection, wanted, drain=drain, everything=everything)
        except BaseException:
            self._hints |= hints  # nothing is forgotten
            raise
        return count

    async def _pass(
        self, name: str, collection: Collection, wanted: set[str], *, drain: bool, everything: bool
    ) -> int:
        # Sorted by version with a limit: whatever is returned of one aggregate is a prefix of its
        # unpublished records, so nothing is ever published ahead of an earlier event.
        found = await collection.find({PUBLISHED: False}).sort("version", 1).to_list(self._batch)
        cutoff = time.time() - self._grace
        by_aggregate: dict[str, list[Document]] = {}
        for record in found:
            by_aggregate.setdefault(record["aggregate_id"], []).append(record)
        now = time.monotonic()
        chosen: dict[str, list[Document]] = {}
        for aggregate, records in by_aggregate.items():
            due = aggregate in wanted or (
                drain and (everything or any(r["created_at"].timestamp() < cutoff for r in records))
            )
            retry_at = self._backoff.get((name, aggregate), (0.0, 0.0))[0]
            if due and retry_at > now:
                self._retry_later(name, aggregate, retry_at - now)
            elif due:
                chosen[aggregate] = records
        if len(found) >= self._batch:  # more may wait: come back at once
            self._hints |= {(name, a) for a in wanted if a not in chosen}
            self._drain_due = drain
            self._everything = everything
            self._wake.set()
        if not chosen:
            return 0
        published, entries = await self._publish(name, chosen)
        if published:
            await collection.update_many(
                {PUBLISHED: False, "_id": {"$in": published}}, {"$set": {PUBLISHED: True}}
            )
        self.published += entries
        return entries

    async def _publish(self, name: str, chosen: dict[str, list[Document]]) -> tuple[list[str], int]:
        """Send every chosen aggregate's entries at once; return the records fully acknowledged."""
        pending: list[tuple[str, Document, list[Awaitable[Any]]]] = []
        failed: dict[str, BaseException] = {}
        for aggregate, records in chosen.items():
            for record in records:
                try:
                    acks = [await self._send(entry) for entry in record.get("entries", [])]
                except Exception as exc:
                    failed[aggregate] = exc
                    break
                pending.append((aggregate, record, acks))
        published: list[str] = []
        entries = 0
        for aggregate, record, acks in pending:
            if aggregate in failed:
                for ack in acks:  # a later record of a failed aggregate: not marked, sent again later
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(ack, self._ack_timeout)
                continue
            try:
                for ack in acks:
                    await asyncio.wait_for(ack, self._ack_timeout)
            except Exception as exc:
                failed[aggregate] = exc
                continue
            published.append(record["_id"])
            entries += len(acks)
        for aggregate in chosen:
            if aggregate in failed:
                self._failed(name, aggregate, failed[aggregate])
            else:
                self._backoff.pop((name, aggregate), None)
        return published, entries

    def _failed(self, name: str, aggregate: str, error: BaseException) -> None:
        _, delay = self._backoff.get((name, aggregate), (0.0, 0.1))
        delay = min(delay * 2, self._max_backoff)
        self._backoff[(name, aggregate)] = (time.monotonic() + delay, delay)
        log.warning(
            "outbox publish failed; this aggregate backs off",
            collection=name,
            aggregate_id=aggregate,
            error=repr(error),
            retry_in=delay,
        )
        self._retry_later(name, aggregate, delay)

    def _retry_later(self, name: str, aggregate: str, delay: float) -> None:
        asyncio.get_running_loop().call_later(delay, self.wake, name, aggregate)
