"""Aggregates of one collection, loaded and saved the same way in every service.

A service keeps one ``Aggregates`` per kind of aggregate (a pydantic model with a ``version``
field and an id field) and does load -> decide -> save; the kit owns how a save commits and how
its events reach Kafka.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from cqrs_contracts.events import Event
from cqrs_kit.mongo import Collection
from cqrs_kit.outbox import OUTBOX, outbox_entries, save_aggregate
from cqrs_kit.runtime import Runtime

M = TypeVar("M", bound=BaseModel)


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


class Aggregates(Generic[M]):
    """One collection of aggregates: load them, and save each with its events in one write."""

    def __init__(self, runtime: Runtime, collection: str, model: type[M], id_field: str) -> None:
        self._runtime = runtime
        self._name = collection
        self.collection: Collection = runtime.mongo.collection(collection)
        self._model = model
        self._id = id_field

    def _load(self, doc: Mapping[str, Any]) -> M:
        return self._model.model_validate({**doc, self._id: doc["_id"]})

    async def get(self, aggregate_id: str) -> M | None:
        """One aggregate, or None."""
        doc = await self.collection.find_one({"_id": aggregate_id}, {OUTBOX: 0})
        return None if doc is None else self._load(doc)

    async def find(self, query: Mapping[str, Any], *, limit: int = 0) -> list[M]:
        """Aggregates matching a query."""
        cursor = self.collection.find(dict(query), {OUTBOX: 0}).limit(limit)
        return [self._load(doc) async for doc in cursor]

    async def save(
        self, state: M, events: Sequence[Event], *, correlation_id: str | None, actor: str | None
    ) -> M:
        """Save state and its events atomically (version-guarded); the relay publishes them."""
        data = storable(state.model_dump(mode="python"))
        aggregate_id = data.pop(self._id)
        version = data.pop("version")
        entries = outbox_entries(
            events, source=self._runtime.source, correlation_id=correlation_id, actor=actor
        )
        saved = await save_aggregate(self.collection, aggregate_id, version, data, entries)
        self._runtime.relay.wake(self._name, aggregate_id)
        return state.model_copy(update={"version": saved})
