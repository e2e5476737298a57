"""Aggregates of one collection, loaded and saved the same way in every service.

A service keeps one ``Aggregates`` per kind of aggregate (a pydantic model with a ``version``
field and an id field) and does load -> decide -> save; the kit owns how a save commits and how
its events reach Kafka.

The commit point is an insert. Each save inserts ONE immutable commit record into
``<collection>_events`` with ``_id = "<aggregate id>:<version>"``: the save's events (as outbox
entries), the new state, who, when and why. A duplicate key means someone else saved that
version first (VersionConflict, 409). An insert guarded by the unique ``_id`` is atomic on
FerretDB v1 and MongoDB alike, where FerretDB's updates are a read and a separate write.
The document in ``<collection>`` is a snapshot written after the insert, best-effort: loading
reads it and then any newer record, so a snapshot that lags (a crash, or a race between two
snapshot writes) is harmless. ``find`` queries snapshots, which may lag a save by moments.
The records are each aggregate's history and audit trail (``history``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import json
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError, OperationFailure, PyMongoError

from cqrs_contracts.events import Event
from cqrs_kit.auth import acting_name
from cqrs_kit.errors import VersionConflict
from cqrs_kit.logs import get_logger
from cqrs_kit.mongo import Collection, Document
from cqrs_kit.outbox import commits_of, outbox_entries, pending_entry, pending_of
from cqrs_kit.runtime import Runtime

M = TypeVar("M", bound=BaseModel)
log = get_logger(__name__)


def storable(value: Any) -> Any:
    """Turn what BSON cannot hold (dates, enums, tuples, sets) into what it can."""
    if isinstance(value, dict):
        return {k: storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [storable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return value


class _UniqueFieldTaken(Exception):
    """The snapshot collides with another aggregate's on a unique index."""


class RecordedEvent(BaseModel):
    """One event as it was saved: its CloudEvents id and type, and its payload."""

    id: str
    type: str
    data: dict[str, Any]


class Commit(BaseModel):
    """One save of an aggregate: its events, who made it (id, and the name their token gave when
    the save answered their request), when, and the event that caused it."""

    aggregate_id: str
    version: int
    events: list[RecordedEvent]
    actor: str | None
    actor_name: str | None = None
    correlation_id: str | None
    cause: str | None
    created_at: dt.datetime


class Aggregates(Generic[M]):
    """One collection of aggregates: load them, and save each with its events in one insert."""

    def __init__(self, runtime: Runtime, collection: str, model: type[M], id_field: str) -> None:
        self._runtime = runtime
        self._name = collection
        self.collection: Collection = runtime.mongo.collection(collection)
        self.commits: Collection = runtime.mongo.collection(commits_of(collection))
        #: Pending entries of records the relay has not sent yet (see cqrs_kit.outbox).
        self.outbox: Collection = runtime.mongo.collection(pending_of(collection))
        # Concurrent saves share one insert_many (one commit) for their records and new snapshots.
        self._insert_record = runtime.mongo.grouped(commits_of(collection)).insert
        self._insert_snapshot = runtime.mongo.grouped(collection).insert
        self._insert_pending = runtime.mongo.grouped(pending_of(collection)).insert
        # Concurrent loads share one query per collection (snapshots, then any newer record).
        self._snapshot = runtime.mongo.lookup(collection).get
        self._record_state = runtime.mongo.lookup(commits_of(collection), ["state"]).get
        self._model = model
        self._id = id_field

    def _load(self, doc: Mapping[str, Any], aggregate_id: str, version: int) -> M:
        return self._model.model_validate({**doc, self._id: aggregate_id, "version": version})

    async def peek(self, aggregate_id: str) -> M | None:
        """The aggregate as its snapshot has it (one lookup): may lag the latest save, or miss an
        aggregate whose snapshot is not written yet. Only for a cheap "already done?" before work
        that a save's version conflict guards anyway; decide on ``get``."""
        snapshot = await self._snapshot(aggregate_id)
        return None if snapshot is None else self._load(snapshot, aggregate_id, int(snapshot["version"]))

    async def get(self, aggregate_id: str) -> M | None:
        """One aggregate in its latest saved state, or None."""
        snapshot = await self._snapshot(aggregate_id)
        version = int(snapshot["version"]) if snapshot else 0
        # Then any newer record, looked up by its _id ("<id>:<version>", one index lookup each;
        # usually none, as the snapshot is written right after the record).
        latest: Mapping[str, Any] | None = None
        while (record := await self._record_state(f"{aggregate_id}:{version + 1}")) is not None:
            latest, version = record, version + 1
        if latest is not None:
            with contextlib.suppress(_UniqueFieldTaken):  # repairing only; never undoes a save
                await self._write_snapshot(aggregate_id, version, latest["state"])
            return self._load(latest["state"], aggregate_id, version)
        if snapshot is None:
            return None
        return self._load(snapshot, aggregate_id, version)

    async def find(self, query: Mapping[str, Any], *, limit: int = 0) -> list[M]:
        """Aggregates matching a query over their snapshots (which may lag a save by moments)."""
        cursor = self.collection.find(dict(query)).limit(limit)
        return [self._load(doc, doc["_id"], int(doc["version"])) async for doc in cursor]

    async def save(
        self,
        state: M,
        events: Sequence[Event],
        *,
        correlation_id: str | None,
        actor: str | None,
        cause: str | None = None,
    ) -> M:
        """Commit the new state with its events (one insert, version-guarded); the relay publishes them.

        ``state.version`` is the version that was loaded (0 for a new aggregate). ``cause`` is the
        id of the event this save answers, so a consumer can ask ``applied`` before acting again.
        Raises VersionConflict when someone else saved first: reload and decide again.
        """
        data = storable(state.model_dump(mode="python"))
        aggregate_id = str(data.pop(self._id))
        version = int(data.pop("version")) + 1
        entries = outbox_entries(
            events,
            source=self._runtime.source,
            correlation_id=correlation_id,
            causation_id=cause,
            actor=actor,
            version=version,
        )
        record: Document = {
            "_id": f"{aggregate_id}:{version}",
            "aggregate_id": aggregate_id,
            "version": version,
            "entries": entries,
            "state": data,
            "actor": actor,
            "actor_name": acting_name(actor),
            "correlation_id": correlation_id,
            "cause": cause,
            "created_at": dt.datetime.now(dt.UTC),
        }
        pending = pending_entry(record) if entries else None
        if pending is not None:  # first: a record that exists always has its entry for the relay
            await self._insert_pending(pending)
        try:
            await self._insert_record(record)
        except DuplicateKeyError:
            await self._forget(pending)  # names the winner's record, which has its own entry
            msg = (
                f"{aggregate_id} was changed by someone else (expected version {version - 1}); "
                "reload it and try again"
            )
            raise VersionConflict(msg) from None
        try:
            await self._write_snapshot(aggregate_id, version, data)
        except _UniqueFieldTaken:
            await self.commits.delete_one({"_id": record["_id"]})  # undo: the save did not happen
            await self._forget(pending)
            msg = f"{aggregate_id} cannot be saved: a value that must be unique is taken by another"
            raise VersionConflict(msg) from None
        if entries:
            handed = {k: v for k, v in record.items() if k != "state"}  # the relay needs no state
            handed["_pending"] = [pending["_id"]] if pending is not None else []
            self._runtime.relay.wake(self._name, aggregate_id, handed)
        return state.model_copy(update={"version": version})

    async def _forget(self, pending: Document | None) -> None:
        """Remove this save's own pending entry (its id is unique to the save) when the save did not
        happen; if that fails, the relay resends a published record at worst, or removes the entry
        once abandoned."""
        if pending is None:
            return
        try:
            await self.outbox.delete_one({"_id": pending["_id"]})
        except PyMongoError as exc:
            log.warning("pending outbox entry of a failed save left behind", error=repr(exc))

    async def _write_snapshot(self, aggregate_id: str, version: int, state: Mapping[str, Any]) -> None:
        """Best-effort: never moves a snapshot back; loading reads newer records anyway.

        The snapshot collection's own unique indexes (other than ``_id``) still hold: a snapshot
        refused by one raises _UniqueFieldTaken, and the save is undone.
        """
        doc = {**state, "version": version}
        try:
            if version == 1:
                await self._insert_snapshot({"_id": aggregate_id, **doc})
            else:
                await self.collection.replace_one(
                    {"_id": aggregate_id, "version": {"$lt": version}}, doc, upsert=True
                )
        except (DuplicateKeyError, OperationFailure) as exc:
            if not isinstance(exc, DuplicateKeyError) and "duplicate key" not in str(exc):
                log.warning("snapshot not written; loading folds the record", error=repr(exc))
                return
            current = await self.collection.find_one({"_id": aggregate_id}, {"version": 1})
            if current is None or int(current["version"]) < version:
                raise _UniqueFieldTaken from exc
        except PyMongoError as exc:
            log.warning("snapshot not written; loading folds the record", error=repr(exc))

    async def history(self, aggregate_id: str) -> list[Commit]:
        """Every save of one aggregate, oldest first: its audit trail."""
        records = await self.commits.find({"aggregate_id": aggregate_id}).to_list()
        return [
            Commit(
                aggregate_id=r["aggregate_id"],
                version=r["version"],
                events=[
                    RecordedEvent(id=e["id"], type=e["type"], data=json.loads(e["body"]))
                    for e in r.get("entries", [])
                ],
                actor=r.get("actor"),
                actor_name=r.get("actor_name"),
                correlation_id=r.get("correlation_id"),
                cause=r.get("cause"),
                created_at=r["created_at"],
            )
            for r in sorted(records, key=lambda r: int(r["version"]))
        ]

    async def applied(self, aggregate_id: str, cause: str) -> bool:
        """Whether a save of this aggregate already answered the event ``cause``.

        Ask it after loading and before deciding: two consumers racing on the same event both
        see False, but only one save of the next version succeeds; the other gets VersionConflict,
        retries, and then sees True.
        """
        found = await self.commits.find_one({"aggregate_id": aggregate_id, "cause": cause}, {"_id": 1})
        return found is not None
