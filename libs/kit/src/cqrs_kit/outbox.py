"""Transactional outbox inside the aggregate's own document, and the relay that publishes it.

Saving is one atomic, version-guarded ``find_one_and_update`` that sets the new state and appends
the new events to the document's ``outbox`` array. The relay publishes entries in array order (so
one aggregate's events stay in order) and removes each only after the broker acknowledged it.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from cqrs_contracts.envelope import envelope_for, to_kafka_headers
from cqrs_contracts.events.base import Event
from cqrs_contracts.registry import serialize
from cqrs_kit import tracing
from cqrs_kit.errors import VersionConflict
from cqrs_kit.logs import get_logger
from cqrs_kit.mongo import Collection, Document, Index

log = get_logger(__name__)

OUTBOX = "outbox"
PENDING = "outbox_pending"
#: How many aggregates the relay publishes at once; each aggregate's own events stay in order.
CONCURRENT_AGGREGATES = 64


_WRITE_LOCKS: dict[tuple[int, str, str], asyncio.Lock] = {}


def write_lock(collection: Collection) -> asyncio.Lock:
    """The lock every outbox write to this collection takes in this process.

    FerretDB v1 runs update/findAndModify as read-modify-write without a transaction (FerretDB
    issue #3040), so a relay pop and a version-guarded save of the same document can overwrite
    each other. Serialising the two writers in the process keeps every save and every entry;
    with MongoDB the lock is merely redundant.
    """
    key = (id(asyncio.get_running_loop()), collection.database.name, collection.name)
    return _WRITE_LOCKS.setdefault(key, asyncio.Lock())


def outbox_indexes(collections: Sequence[str]) -> list[Index]:
    """The index the relay's safety-net poll uses, for each collection holding outboxes."""
    return [Index(name, [PENDING]) for name in collections]


Publish = Callable[[Mapping[str, Any]], Awaitable[None]]


def outbox_entries(
    events: Sequence[Event],
    *,
    source: str,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    actor: str | None = None,
) -> list[Document]:
    """Turn new events into outbox entries carrying their topic, key, CloudEvents headers and body."""
    entries: list[Document] = []
    correlation = correlation_id or str(uuid.uuid4())
    trace_context = tracing.context_headers()  # the relay publishes inside the save's trace
    for event in events:
        envelope = envelope_for(
            event, source=source, correlation_id=correlation, causation_id=causation_id, actor=actor
        )
        entries.append(
            {
                "id": envelope.id,
                "topic": event.topic,
                "key": event.aggregate_id(),
                "type": envelope.type,
                "headers": {
                    **{k: v.decode() for k, v in to_kafka_headers(envelope)},
                    **trace_context,
                },  # no nested arrays in FerretDB
                "body": serialize(event).decode(),
                "created_at": datetime.now(UTC),
            }
        )
    return entries


async def save_aggregate(
    collection: Collection,
    aggregate_id: str,
    expected_version: int,
    state: Mapping[str, Any],
    entries: Sequence[Document],
) -> int:
    """Save new state and its events in one atomic write; raise VersionConflict if someone beat us.

    ``expected_version`` is the version the caller loaded (0 for a new aggregate). Returns the new
    version.
    """
    new_version = expected_version + 1
    try:
        if expected_version == 0:
            # A new aggregate: the unique _id is the version guard. insert_one is also far cheaper
            # than an upserting findAndModify on FerretDB v1 (2 ms against 100 ms at 1,500 docs).
            await collection.insert_one(
                {"_id": aggregate_id, **state, "version": 1, PENDING: True, OUTBOX: list(entries)}
            )
            return new_version
        async with write_lock(collection):
            saved = await collection.find_one_and_update(
                {"_id": aggregate_id, "version": expected_version},
                {
                    "$set": {**state, "version": new_version, PENDING: True},
                    "$push": {OUTBOX: {"$each": list(entries)}},
                },
                return_document=ReturnDocument.AFTER,
            )
    except DuplicateKeyError:
        saved = None
    if saved is None:
        msg = (
            f"{aggregate_id} was changed by someone else (expected version {expected_version}); "
            "reload it and try again"
        )
        raise VersionConflict(msg)
    return new_version


class OutboxRelay:
    """Publishes outbox entries of the watched collections.

    A save wakes it with the aggregate's id, which it publishes at once by id; a poll over the
    indexed ``outbox_pending`` flag is the safety net for anything a crash or another replica left.
    """

    def __init__(
        self,
        collections: Sequence[Collection],
        publish: Publish,
        *,
        poll_seconds: float = 2.0,
        max_backoff: float = 10.0,
    ) -> None:
        self._collections = {c.name: c for c in collections}
        self._publish = publish
        self._poll = poll_seconds
        self._max_backoff = max_backoff
        self._wake = asyncio.Event()
        self._hints: list[tuple[str, str]] = []
        self._task: asyncio.Task[None] | None = None
        self.published = 0

    def wake(self, collection: str | None = None, aggregate_id: str | None = None) -> None:
        """Ask the relay to look now (called after a save, naming what was saved when known)."""
        if collection is not None and aggregate_id is not None:
            self._hints.append((collection, aggregate_id))
        self._wake.set()

    def start(self) -> None:
        """Run in the background until stopped."""
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Stop the background task; unpublished entries stay in the outbox for the next start."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        backoff = 0.2
        while True:
            woken = False
            with contextlib.suppress(TimeoutError):
                woken = await asyncio.wait_for(self._wake.wait(), self._poll)
            self._wake.clear()
            try:
                if woken and self._hints:
                    await self.drain_hinted()
                else:
                    await self.drain()
                backoff = 0.2
            except Exception as exc:
                log.warning("outbox relay failed, will retry", error=repr(exc), retry_in=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)
                self._wake.set()

    async def drain_hinted(self) -> int:
        """Publish the outboxes of the aggregates named by recent saves."""
        hints, self._hints = self._hints, []
        try:
            count = 0
            by_collection: dict[str, list[str]] = {}
            for name, aggregate_id in dict.fromkeys(hints):
                by_collection.setdefault(name, []).append(aggregate_id)
            for name, ids in by_collection.items():
                collection = self._collections[name]
                docs = await collection.find({"_id": {"$in": ids}, PENDING: True}).to_list()
                count += await self._publish_all(collection, docs)
        except BaseException:
            self._hints = hints + self._hints  # nothing is forgotten; the poll would find it anyway
            raise
        self.published += count
        return count

    async def drain(self) -> int:
        """Publish everything pending now; returns how many entries were published."""
        count = 0
        for collection in self._collections.values():
            docs = await collection.find({PENDING: True}).to_list()
            count += await self._publish_all(collection, docs)
        self.published += count
        return count

    async def _publish_all(self, collection: Collection, docs: list[Document]) -> int:
        """Publish many aggregates at once (each one's entries stay in order), so acks overlap."""
        gate = asyncio.Semaphore(CONCURRENT_AGGREGATES)

        async def one(doc: Document) -> int:
            async with gate:
                return await self._publish_outbox(collection, doc)

        results = await asyncio.gather(*(one(doc) for doc in docs), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            raise failures[0]
        return sum(r for r in results if isinstance(r, int))

    async def _publish_outbox(self, collection: Collection, doc: Document) -> int:
        """Publish one aggregate's entries in order, removing each only after the broker's ack."""
        entries = doc.get(OUTBOX) or []
        for position, entry in enumerate(entries):
            await self._publish(entry)
            # Pop the head only if it is still the entry just published (FerretDB v1 ignores
            # $pull with a sub-document condition, so we cannot pull by id). Popping the last
            # entry also clears the pending flag in the same write, unless a save added more.
            head = {"_id": doc["_id"], f"{OUTBOX}.0.id": entry["id"]}
            async with write_lock(collection):
                if position == len(entries) - 1:
                    last = await collection.update_one(
                        {**head, OUTBOX: {"$size": 1}}, {"$pop": {OUTBOX: -1}, "$set": {PENDING: False}}
                    )
                    if last.matched_count:
                        continue
                await collection.update_one(head, {"$pop": {OUTBOX: -1}})
        return len(entries)
