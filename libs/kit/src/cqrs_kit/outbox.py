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
from cqrs_kit.errors import VersionConflict
from cqrs_kit.logs import get_logger
from cqrs_kit.mongo import Collection, Document

log = get_logger(__name__)

OUTBOX = "outbox"
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
                    k: v.decode() for k, v in to_kafka_headers(envelope)
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
    update = {
        "$set": {**state, "version": new_version},
        "$push": {OUTBOX: {"$each": list(entries)}},
    }
    try:
        saved = await collection.find_one_and_update(
            {"_id": aggregate_id, "version": expected_version},
            update,
            upsert=expected_version == 0,
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
    """Publishes outbox entries of the watched collections, woken on save, polling as a safety net."""

    def __init__(
        self,
        collections: Sequence[Collection],
        publish: Publish,
        *,
        poll_seconds: float = 2.0,
        max_backoff: float = 10.0,
    ) -> None:
        self._collections = list(collections)
        self._publish = publish
        self._poll = poll_seconds
        self._max_backoff = max_backoff
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.published = 0

    def wake(self) -> None:
        """Ask the relay to look now (called after a save)."""
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
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)
            self._wake.clear()
            try:
                await self.drain()
                backoff = 0.2
            except Exception as exc:
                log.warning("outbox relay failed, will retry", error=repr(exc), retry_in=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)
                self._wake.set()

    async def drain(self) -> int:
        """Publish everything pending now; returns how many entries were published."""
        count = 0
        for collection in self._collections:
            async for doc in collection.find({OUTBOX: {"$exists": True, "$ne": []}}, {OUTBOX: 1}):
                for entry in doc.get(OUTBOX) or []:
                    await self._publish(entry)
                    # Pop the head only if it is still the entry just published (FerretDB v1
                    # ignores $pull with a sub-document condition, so we cannot pull by id).
                    await collection.update_one(
                        {"_id": doc["_id"], f"{OUTBOX}.0.id": entry["id"]}, {"$pop": {OUTBOX: -1}}
                    )
                    count += 1
        self.published += count
        return count
