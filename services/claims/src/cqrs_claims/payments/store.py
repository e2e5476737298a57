"""Where payment batches are kept, the lock that lets one process send a day's batches, and the
paycodes of the services claimed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo.errors import DuplicateKeyError

from cqrs_claims.catalogue.store import SERVICES
from cqrs_claims.payments.domain import PaymentBatch
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.mongo import Index
from cqrs_kit.runtime import Runtime

BATCHES = "payment_batches"
RUNS = "payment_runs"
INDEXES = [
    Index(BATCHES, ["commissioner_organisation_id", "day"]),
    Index(BATCHES, ["status"]),
]
#: A day's run left unfinished this long (its process died) is taken over by another.
_STALE = dt.timedelta(minutes=10)


class PaymentStore:
    """Batches saved with their events; the day's run lock; paycodes from the catalogue."""

    def __init__(self, runtime: Runtime) -> None:
        self.aggregates: Aggregates[PaymentBatch] = Aggregates(runtime, BATCHES, PaymentBatch, "batch_id")
        self._runs = runtime.mongo.collection(RUNS)
        self._services = runtime.mongo.collection(SERVICES)

    async def take_run(self, day: dt.date, now: dt.datetime) -> bool:
        """Whether this process sends the day's batches (first comer, or after a stale one)."""
        try:
            await self._runs.insert_one({"_id": day.isoformat(), "at": now, "done": False})
        except DuplicateKeyError:
            run = await self._runs.find_one({"_id": day.isoformat()})
            if run is None or run["done"] or run["at"].replace(tzinfo=dt.UTC) > now - _STALE:
                return False
            taken = await self._runs.update_one(
                {"_id": day.isoformat(), "at": run["at"]}, {"$set": {"at": now}}
            )
            return taken.modified_count == 1
        return True

    async def finish_run(self, day: dt.date) -> None:
        """The day's batches are all sent."""
        await self._runs.update_one({"_id": day.isoformat()}, {"$set": {"done": True}})

    async def paycodes(self, service_ids: list[str]) -> dict[str, str]:
        """Each service's paycode (the same in every version)."""
        found: dict[str, str] = {}
        async for doc in self._services.find({"quality_service_id": {"$in": service_ids}}):
            if doc.get("paycode"):
                found[doc["quality_service_id"]] = doc["paycode"]
        return found

    async def page(self, query: dict[str, Any], *, page: int, size: int) -> tuple[int, list[PaymentBatch]]:
        """One page of batches, newest day first."""
        collection = self.aggregates.collection
        total = await collection.count_documents(query)
        cursor = collection.find(query, {"outbox": 0}).sort("day", -1).skip((page - 1) * size).limit(size)
        return total, [PaymentBatch.model_validate({**d, "batch_id": d["_id"]}) async for d in cursor]
