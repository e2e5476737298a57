"""The Message Centre's items (tasks and messages), their closures and who has read them.

Every write is an insert with a derived id (a repeated event hits the unique `_id`) or an update
that may run twice with the same result (closing a task, marking read).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field
from pymongo.errors import DuplicateKeyError

from cqrs_kit.mongo import Collection, Index, Mongo

ITEMS = "items"
CLOSURES = "closures"
READS = "reads"

ItemStatus = Literal["open", "closed", "sent"]


class Item(BaseModel):
    """A Message Centre task (asks someone to act) or message (informs), addressed to the holders
    of some roles at one organisation, or to one person."""

    item_id: str
    kind: Literal["task", "message"]
    category: str = Field(description="What it is about, e.g. offer-to-answer or offer-rejected.")
    title: str
    organisation: str | None = None
    roles: list[str] = Field(default_factory=list)
    payment_type: str | None = None
    user_id: str | None = Field(default=None, description="The one person it is for, if personal.")
    subject_id: str = Field(description="The offer, request, claim or declaration it is about.")
    source_event_id: str
    created_at: dt.datetime
    status: ItemStatus = Field(description="Tasks: open or closed; messages: sent.")
    closed_at: dt.datetime | None = None


class Closure(BaseModel):
    """A task's action happened: every task of this category and subject opened before `at` closes."""

    subject_id: str
    category: str
    at: dt.datetime
    event_id: str


def _doc(item: Item) -> dict[str, Any]:
    return {"_id": item.item_id, **item.model_dump(exclude={"item_id"})}


def _item(doc: dict[str, Any]) -> Item:
    return Item.model_validate({**doc, "item_id": doc["_id"]})


class ItemStore:
    """Items, closures and read marks of this service's database."""

    def __init__(self, mongo: Mongo) -> None:
        self.items: Collection = mongo.collection(ITEMS)
        self.closures: Collection = mongo.collection(CLOSURES)
        self.reads: Collection = mongo.collection(READS)

    async def add(self, item: Item) -> bool:
        """Store the item; False when it already exists (a repeated event)."""
        try:
            await self.items.insert_one(_doc(item))
        except DuplicateKeyError:
            return False
        return True

    async def get(self, item_id: str) -> Item | None:
        """One item by id."""
        doc = await self.items.find_one({"_id": item_id})
        return _item(doc) if doc else None

    async def record_closure(self, closure: Closure, closure_id: str) -> None:
        """Remember that the action happened (so a late task is born closed), then close open tasks."""
        with contextlib.suppress(DuplicateKeyError):  # a repeat: closing again below changes nothing
            await self.closures.insert_one({"_id": closure_id, **closure.model_dump()})
        await self.close_open(closure.subject_id, closure.category, closure.at)

    async def close_open(self, subject_id: str, category: str, at: dt.datetime) -> int:
        """Close every open task of this subject and category opened no later than `at`."""
        result = await self.items.update_many(
            {
                "subject_id": subject_id,
                "category": category,
                "kind": "task",
                "status": "open",
                "created_at": {"$lte": at},
            },
            {"$set": {"status": "closed", "closed_at": at}},
        )
        return int(result.modified_count)

    async def closed_at(self, subject_id: str, category: str, opened_at: dt.datetime) -> dt.datetime | None:
        """When a recorded closure already covers a task opened at `opened_at`, its time."""
        doc = await self.closures.find_one(
            {"subject_id": subject_id, "category": category, "at": {"$gte": opened_at}}
        )
        return doc["at"] if doc else None

    async def page(self, query: dict[str, Any], *, skip: int, limit: int) -> tuple[list[Item], int]:
        """Items matching the query, newest first, and how many match in all."""
        total = await self.items.count_documents(query)
        cursor = self.items.find(query).sort([("created_at", -1), ("_id", -1)]).skip(skip).limit(limit)
        return [_item(d) async for d in cursor], total

    async def count(self, query: dict[str, Any]) -> int:
        """How many items match."""
        return await self.items.count_documents(query)

    async def read_ids(self, user_id: str, item_ids: list[str] | None = None) -> set[str]:
        """The items (of those given, or all) this user has marked read."""
        query: dict[str, Any] = {"user_id": user_id}
        if item_ids is not None:
            query["item_id"] = {"$in": item_ids}
        return {d["item_id"] async for d in self.reads.find(query)}

    async def mark_read(self, user_id: str, item_id: str, at: dt.datetime) -> None:
        """Record that the user read the item; marking twice changes nothing."""
        with contextlib.suppress(DuplicateKeyError):
            await self.reads.insert_one(
                {"_id": f"{user_id}|{item_id}", "user_id": user_id, "item_id": item_id, "read_at": at}
            )


INDEXES = [
    Index(ITEMS, ["organisation", "created_at"]),
    Index(ITEMS, ["user_id", "created_at"]),
    Index(ITEMS, ["subject_id", "category"]),
    Index(CLOSURES, ["subject_id", "category"]),
    Index(READS, ["user_id"]),
]
