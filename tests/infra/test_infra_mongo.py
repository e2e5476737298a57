"""MongoDB wire protocol (FerretDB v1 locally): the operations the outbox and idempotent consumers need.

Written to pass on FerretDB v1 and real MongoDB alike, so it avoids what FerretDB v1 gets wrong:
projections in findAndModify, nested arrays, `$pull` with a sub-document condition (ignored), and
one createIndexes naming several existing indexes (drops the connection).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

Document = dict[str, Any]


@pytest.fixture
async def db(infra: dict[str, str]) -> AsyncIterator[AsyncDatabase[Document]]:
    """A database no other test uses, dropped afterwards."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        infra["CQRS_MONGO_URL"], serverSelectionTimeoutMS=5000, tz_aware=True
    )
    name = f"test_infra_{uuid.uuid4().hex}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()


async def test_inserted_document_is_read_back(db: AsyncDatabase[Document]) -> None:
    """What is written is what is read, field for field."""
    doc = {"_id": "org-1", "name": "Practice A", "pence": 12_345, "tags": ["gp", "pcn"]}
    result = await db.organisations.insert_one(doc)
    assert result.inserted_id == "org-1"
    assert await db.organisations.find_one({"_id": "org-1"}) == doc
    assert await db.organisations.count_documents({}) == 1


async def test_unique_index_refuses_a_second_document_with_the_same_key(
    db: AsyncDatabase[Document],
) -> None:
    """Idempotent consumers lean on this: a repeated event id hits the unique index."""
    await db.applied.create_index("event_id", unique=True, name="event_id_unique")
    await db.applied.insert_one({"event_id": "evt-1", "effect": "first"})
    with pytest.raises(DuplicateKeyError):
        await db.applied.insert_one({"event_id": "evt-1", "effect": "second"})
    assert [d["effect"] async for d in db.applied.find({"event_id": "evt-1"})] == ["first"]
    assert "event_id_unique" in await db.applied.index_information()


async def test_creating_an_existing_index_again_is_harmless(db: AsyncDatabase[Document]) -> None:
    """Services ensure their indexes at every start; one at a time, so FerretDB v1 copes."""
    for _ in range(2):
        await db.claims.create_index("claim_ref", unique=True, name="claim_ref_unique")
    assert "claim_ref_unique" in await db.claims.index_information()


async def test_find_one_and_update_applies_only_when_the_version_matches(
    db: AsyncDatabase[Document],
) -> None:
    """The outbox save: state and outbox entry change together, and a stale writer changes nothing."""
    await db.offers.insert_one({"_id": "offer-1", "version": 1, "status": "made", "outbox": []})

    saved = await db.offers.find_one_and_update(
        {"_id": "offer-1", "version": 1},
        {
            "$set": {"status": "accepted", "version": 2},
            "$push": {"outbox": {"id": "evt-1", "type": "OfferAccepted"}},
        },
        return_document=ReturnDocument.AFTER,
    )
    assert saved == {
        "_id": "offer-1",
        "version": 2,
        "status": "accepted",
        "outbox": [{"id": "evt-1", "type": "OfferAccepted"}],
    }

    stale = await db.offers.find_one_and_update(
        {"_id": "offer-1", "version": 1},
        {"$set": {"status": "withdrawn", "version": 2}, "$push": {"outbox": {"id": "evt-2"}}},
        return_document=ReturnDocument.AFTER,
    )
    assert stale is None
    assert await db.offers.find_one({"_id": "offer-1"}) == saved


async def test_published_outbox_head_is_popped_only_while_it_is_still_the_head(
    db: AsyncDatabase[Document],
) -> None:
    """The relay's removal: `$pop` guarded by the head's id, so a repeat cannot drop a later entry.

    (FerretDB v1 matches `$pull` conditions against whole elements only, so pulling by id does not
    work on entries that carry more fields than the id; this guarded `$pop` works on both servers.)
    """
    entries = [{"id": "evt-a", "topic": "t", "body": "{}"}, {"id": "evt-b", "topic": "t", "body": "{}"}]
    await db.offers.insert_one({"_id": "offer-2", "version": 3, "outbox": entries})
    guard = {"_id": "offer-2", "outbox.0.id": "evt-a"}

    first = await db.offers.update_one(guard, {"$pop": {"outbox": -1}})
    repeat = await db.offers.update_one(guard, {"$pop": {"outbox": -1}})

    assert (first.modified_count, repeat.matched_count) == (1, 0)
    remaining = await db.offers.find_one({"_id": "offer-2"})
    assert remaining is not None
    assert remaining["outbox"] == [entries[1]]
    assert remaining["version"] == 3


async def test_a_lookup_by_id_is_served_by_the_id_index(db: AsyncDatabase[Document]) -> None:
    """The launcher's FerretDB build hands `_id` equality to PostgreSQL in a form the `_id` index
    serves (stock FerretDB v1 scans the table); the same documents come back either way.
    MongoDB answers the explain in its own shape, which this test does not read."""
    await db.things.insert_many([{"_id": f"thing-{n}", "n": n, "tags": ["a"]} for n in range(2000)])
    assert await db.things.find_one({"_id": "thing-42"}) == {"_id": "thing-42", "n": 42, "tags": ["a"]}
    assert await db.things.find_one({"_id": {"$eq": "thing-43"}, "n": 43}) is not None
    assert await db.things.find_one({"_id": "thing-44", "n": 1}) is None  # the rest of the filter holds
    assert await db.things.count_documents({"_id": "thing-none"}) == 0
    explained = await db.command("explain", {"find": "things", "filter": {"_id": "thing-42"}})
    if "ferretdbVersion" in explained.get("serverInfo", {}):
        plan = explained["queryPlanner"]["Plan"]
        assert plan["Node Type"] == "Index Scan", plan


async def test_a_lookup_by_a_list_of_ids_is_served_by_the_id_index(db: AsyncDatabase[Document]) -> None:
    """`{"_id": {"$in": [...]}}` too (the relay marks what it sent by a list of ids); the same
    documents come back, the rest of the filter still holds, and other lists are left alone."""
    await db.things.insert_many([{"_id": f"thing-{n}", "n": n} for n in range(2000)])
    wanted = ["thing-7", "thing-1999", "thing-none", "thing-7"]
    found = await db.things.find({"_id": {"$in": wanted}}).sort("n", 1).to_list()
    assert found == [{"_id": "thing-7", "n": 7}, {"_id": "thing-1999", "n": 1999}]
    assert await db.things.count_documents({"_id": {"$in": ["thing-7", "thing-8"]}, "n": {"$gt": 7}}) == 1
    assert await db.things.count_documents({"_id": {"$in": ["thing-9", 9]}}) == 1  # mixed types
    assert await db.things.count_documents({"_id": {"$in": []}}) == 0
    changed = await db.things.update_many({"_id": {"$in": ["thing-1", "thing-2"]}}, {"$set": {"n": -1}})
    assert changed.modified_count == 2
    assert await db.things.count_documents({"n": -1}) == 2
    explained = await db.command("explain", {"find": "things", "filter": {"_id": {"$in": wanted}}})
    if "ferretdbVersion" in explained.get("serverInfo", {}):
        plan = explained["queryPlanner"]["Plan"]
        assert "Index" in plan["Node Type"] or "Bitmap" in plan["Node Type"], plan
