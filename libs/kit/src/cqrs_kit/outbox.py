"""Outbox entries carried by commit records, and the relay that publishes them.

A save with events first inserts a small pending entry (``<collection>_outbox``, naming the
record), then its immutable commit record (see cqrs_kit.aggregates) holding the save's
outbox entries, and hands the record to this process's relay. The relay sends each aggregate's
entries in version order without waiting for each ack (the idempotent producer keeps order within
a partition) and waits for the acks of the batch. A record it was handed is sent straight away
when it is an aggregate's first version or follows a version this relay sent itself; otherwise
(another replica saved the version before) the relay reads that aggregate's pending entries and
their records and sends them in order, so first occurrences stay in order per aggregate.

Once sent, a record's pending entry is deleted. Nothing is ever updated: commit records stay as the
save wrote them, and a pending entry is only inserted and deleted (FerretDB v1 runs an update as a
read and a write per document, about 1,000 a second here; inserts and deletes by a list of ids go
at 20,000 and more, and the pending collection stays small, so the relay's reads stay cheap).
Deletes are written behind the sending, in batches, by one background marker; entries sent and not
yet deleted are left out of the relay's own reads. A crash after the acks and before the delete
publishes those records again at the next start, which consumers tolerate (they apply each event
once). A pending entry whose record never appears (its save failed after inserting it) is removed
after ``ABANDONED_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
import uuid
from collections import OrderedDict
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
#: Suffix of the collection holding the pending entries of records not yet sent.
PENDING = "_outbox"
#: A pending entry older than this whose record does not exist belongs to a save that failed.
ABANDONED_SECONDS = 300.0

#: Records handed over by saves and not sent yet, at most (beyond it, saves only name the aggregate).
MAX_HANDED = 20_000
#: How many sent record ids the relay remembers, so an aggregate's next version goes out at once.
MAX_REMEMBERED = 100_000
#: Pending entries deleted by one delete_many.
MARK_BATCH = 500
#: How long a stopping relay waits to write the marks it owes.
STOP_MARK_SECONDS = 5.0

#: Enqueue one entry with the producer and return the broker's acknowledgement, to be awaited.
Send = Callable[[Mapping[str, Any]], Awaitable[Awaitable[Any]]]


def commits_of(collection: str) -> str:
    """The name of the collection holding the commit records of an aggregate collection."""
    return f"{collection}{COMMITS}"


def pending_of(collection: str) -> str:
    """The name of the collection holding the pending entries of an aggregate collection."""
    return f"{collection}{PENDING}"


def pending_entry(record: Mapping[str, Any]) -> Document:
    """What a save inserts before its commit record: enough to find and order the record. Its own
    id is unique to the save, so removing one save's abandoned entry never removes another's."""
    return {
        "_id": f"{record['_id']}#{uuid.uuid4().hex[:16]}",
        "record_id": record["_id"],
        "aggregate_id": record["aggregate_id"],
        "version": record["version"],
        "created_at": record["created_at"],
    }


def commit_indexes(collections: Sequence[str]) -> list[Index]:
    """Indexes of the commit records: loading, history and 'already applied'."""
    indexes: list[Index] = []
    for name in collections:
        indexes += [
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
    """Publishes the pending commit records of the watched collections.

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
        self._outboxes = {
            name: c.database.get_collection(pending_of(name)) for name, c in self._collections.items()
        }
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
        self._handed: list[tuple[str, Document]] = []  # records saved in this process, to send as they are
        # (collection, record id) of what this relay sent, recent ones: ids repeat across collections
        # (an organisation and its PCN memberships are both "<ods code>:<version>")
        self._sent: OrderedDict[tuple[str, str], None] = OrderedDict()
        # ids of pending entries whose records were sent (or that were abandoned), not deleted yet
        self._unmarked: dict[str, dict[str, None]] = {n: {} for n in self._collections}
        self._marking = asyncio.Lock()
        self._mark_wake = asyncio.Event()
        self.published = 0

    def wake(
        self, collection: str | None = None, aggregate_id: str | None = None, record: Document | None = None
    ) -> None:
        """Ask the relay to look now (called after a save, naming what was saved and, from
        ``Aggregates.save``, handing over the commit record so it need not be read back)."""
        if collection is not None and aggregate_id is not None:
            if record is not None and self._tasks and len(self._handed) < MAX_HANDED:
                self._handed.append((collection, record))
            else:
                self._hints.add((collection, aggregate_id))
        self._wake.set()

    def start(self) -> None:
        """Run in the background until stopped: the publishing loop and the safety-net timer."""
        self._drain_due = self._everything = True
        self._marking = asyncio.Lock()  # bound to the running loop (tests start relays in new loops)
        self._mark_wake = asyncio.Event()
        self._tasks = [
            asyncio.create_task(self._run(), name="outbox-relay"),
            asyncio.create_task(self._timer(), name="outbox-relay-timer"),
            asyncio.create_task(self._marker(), name="outbox-relay-marker"),
        ]

    async def stop(self) -> None:
        """Stop; pending records stay pending for the next start (or another replica). Pending
        entries still owed a delete are deleted if the database answers within a few seconds;
        those that are not make the next start send their records again."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        for name, record in self._handed:  # not sent: the next start's drain finds them
            self._hints.add((name, record["aggregate_id"]))
        self._handed = []
        try:
            await asyncio.wait_for(self.flush_marks(), STOP_MARK_SECONDS)
        except Exception as exc:
            log.warning("sent outbox entries not cleared at stop; they will be sent again", error=repr(exc))

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
        """Publish everything pending now, whatever its age, and clear it; returns how many entries."""
        self._drain_due = self._everything = True
        before = self.published
        while True:
            count = await self.run_once()
            if count == 0 and not self._hints and not self._handed:
                await self.flush_marks()
                return self.published - before
            self._drain_due = self._everything = True

    async def run_once(self) -> int:
        """One pass: send the records handed over by saves, then read the pending records due
        now and send them; their pending entries are deleted in the background. Returns entries sent."""
        handed = self._handed
        try:
            count = await self._send_handed()
        except BaseException:
            self._hints |= {(name, record["aggregate_id"]) for name, record in handed}  # read back later
            raise
        hints, self._hints = self._hints, set()
        drain, everything = self._drain_due, self._everything
        self._drain_due = self._everything = False
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
        # pending records, so nothing is ever published ahead of an earlier event. Entries sent and
        # waiting for their delete are left out (they are published; only the delete lags).
        query: Document = {}
        if self._unmarked[name]:
            query["_id"] = {"$nin": list(self._unmarked[name])}
        found = await self._outboxes[name].find(query).sort("version", 1).to_list(self._batch)
        cutoff = time.time() - self._grace
        by_aggregate: dict[str, list[Document]] = {}
        for entry in found:
            by_aggregate.setdefault(entry["aggregate_id"], []).append(entry)
        now = time.monotonic()
        due: dict[str, list[Document]] = {}
        for aggregate, entries in by_aggregate.items():
            is_due = aggregate in wanted or (
                drain and (everything or any(_timestamp(e) < cutoff for e in entries))
            )
            retry_at = self._backoff.get((name, aggregate), (0.0, 0.0))[0]
            if is_due and retry_at > now:
                self._retry_later(name, aggregate, retry_at - now)
            elif is_due:
                due[aggregate] = entries
        if len(found) >= self._batch:  # more may wait: come back at once
            self._hints |= {(name, a) for a in wanted if a not in due}
            self._drain_due = drain
            self._everything = everything
            self._wake.set()
        if not due:
            return 0
        chosen = await self._records_of(name, collection, due)
        if not chosen:
            return 0
        published, entries_sent = await self._publish(name, chosen)
        self._owe_marks(name, published)
        self.published += entries_sent
        return entries_sent

    async def _records_of(
        self, name: str, collection: Collection, due: dict[str, list[Document]]
    ) -> dict[str, list[Document]]:
        """The commit records of the due pending entries, per aggregate in version order, each list
        stopping before a record that is not there (its save is still inserting it, or failed).
        Each record carries the ids of its pending entries (``_pending``) to delete once sent."""
        ids = list({e["record_id"] for entries in due.values() for e in entries})
        records = {
            r["_id"]: r for r in await collection.find({"_id": {"$in": ids}}, {"state": 0}).to_list(None)
        }
        abandoned_before = time.time() - ABANDONED_SECONDS
        chosen: dict[str, list[Document]] = {}
        for aggregate, entries in due.items():
            for entry in entries:
                record_id = entry["record_id"]
                record = records.get(record_id)
                if record is None:
                    if _timestamp(entry) < abandoned_before:
                        log.warning("outbox entry without a record removed", record_id=record_id)
                        self._clear(name, [entry["_id"]])
                    break
                if (name, record_id) in self._sent:  # sent already: only the entry is left to clear
                    self._clear(name, [entry["_id"]])
                    continue
                mine = chosen.setdefault(aggregate, [])
                if mine and mine[-1]["_id"] == record_id:  # two entries for one record (a racing save's)
                    mine[-1]["_pending"].append(entry["_id"])
                else:
                    mine.append({**record, "_pending": [entry["_id"]]})
        return {a: rs for a, rs in chosen.items() if rs}

    async def _send_handed(self) -> int:
        """Send the records saves handed over whose earlier version this relay sent (or that have
        none); the others become hints, read back from the database in order."""
        handed, self._handed = self._handed, []
        now = time.monotonic()
        direct: dict[str, dict[str, list[Document]]] = {}
        for name, record in handed:
            if (name, record["_id"]) in self._sent:  # a read pass found it before its save handed it over
                continue
            aggregate, version = record["aggregate_id"], int(record["version"])
            mine = direct.setdefault(name, {}).get(aggregate)
            follows = (
                version == 1
                or (name, f"{aggregate}:{version - 1}") in self._sent
                or (mine is not None and int(mine[-1]["version"]) == version - 1)
            )
            held = self._backoff.get((name, aggregate), (0.0, 0.0))[0] > now
            if follows and not held and (mine is not None or (name, aggregate) not in self._hints):
                direct[name].setdefault(aggregate, []).append(record)
            else:
                self._hints.add((name, aggregate))
        count = 0
        for name, chosen in direct.items():
            if chosen:
                published, entries = await self._publish(name, chosen)
                self._owe_marks(name, published)
                self.published += entries
                count += entries
        return count

    def _owe_marks(self, name: str, published: list[Document]) -> None:
        """Remember what was sent (so a later version may follow at once) and queue the deletes of
        its pending entries."""
        for record in published:
            self._sent[(name, record["_id"])] = None
        while len(self._sent) > MAX_REMEMBERED:
            self._sent.popitem(last=False)
        self._clear(name, [p for record in published for p in record.get("_pending", ())])

    def _clear(self, name: str, pending_ids: Sequence[str]) -> None:
        """Queue pending entries for the background delete (left out of reads until then)."""
        for pending_id in pending_ids:
            self._unmarked[name][pending_id] = None
        if pending_ids:
            self._mark_wake.set()

    async def _marker(self) -> None:
        while True:
            await self._mark_wake.wait()
            self._mark_wake.clear()
            try:
                await self.flush_marks()
            except Exception as exc:  # the database is away: the deletes wait, the entries stay left out
                log.warning("sent outbox entries not cleared, will retry", error=repr(exc))
                await asyncio.sleep(min(1.0, self._max_backoff))
                self._mark_wake.set()

    async def flush_marks(self) -> None:
        """Delete the pending entries of every record sent so far (in batches; one marker at a time)."""
        async with self._marking:
            for name, unmarked in self._unmarked.items():
                while unmarked:
                    batch = list(unmarked)[:MARK_BATCH]
                    await self._outboxes[name].delete_many({"_id": {"$in": batch}})
                    for record_id in batch:
                        unmarked.pop(record_id, None)

    async def _publish(self, name: str, chosen: dict[str, list[Document]]) -> tuple[list[Document], int]:
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
        published: list[Document] = []
        entries = 0
        for aggregate, record, acks in pending:
            if aggregate in failed:
                for ack in acks:  # a later record of a failed aggregate: still pending, sent again later
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(ack, self._ack_timeout)
                continue
            try:
                for ack in acks:
                    await asyncio.wait_for(ack, self._ack_timeout)
            except Exception as exc:
                failed[aggregate] = exc
                continue
            published.append(record)
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


def _timestamp(entry: Mapping[str, Any]) -> float:
    created = entry.get("created_at")
    if not isinstance(created, dt.datetime):
        return 0.0
    return (created if created.tzinfo else created.replace(tzinfo=dt.UTC)).timestamp()
