"""Grouped lookups on the real FerretDB: concurrent reads by ``_id`` share one query, and each
caller still gets exactly its own document (or None)."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from pydantic import BaseModel
from pymongo.errors import OperationFailure

from cqrs_kit.aggregates import Aggregates
from cqrs_kit.group_find import GroupFind
from cqrs_kit.runtime import Runtime
from cqrs_kit.testing import isolated_settings, offer_made


class Thing(BaseModel):
    thing_id: str
    status: str = "new"
    version: int = 0


@pytest.fixture
async def runtime(infra: dict[str, str]) -> AsyncIterator[Runtime]:
    runtime = Runtime.build(isolated_settings("kitfind"), outbox_collections=["things"])
    yield runtime
    await runtime.mongo.client.drop_database(runtime.mongo.db.name)
    await runtime.mongo.close()


async def test_concurrent_lookups_share_queries_and_each_gets_its_own(runtime: Runtime) -> None:
    docs = runtime.mongo.collection("docs")
    ids = [str(uuid.uuid4()) for _ in range(60)]
    await docs.insert_many([{"_id": i, "n": n, "secret": "x"} for n, i in enumerate(ids)])
    lookup = runtime.mongo.lookup("docs", ["n"])
    assert runtime.mongo.lookup("docs", ["n"]) is lookup  # one per collection and fields
    missing = [str(uuid.uuid4()) for _ in range(10)]
    asked = [*ids, *missing, ids[0], ids[0]]  # the same id twice in one batch: both answered
    before = lookup.queries

    found = await asyncio.gather(*(lookup.get(i) for i in asked))

    assert [doc and doc["n"] for doc in found[:60]] == list(range(60))
    assert found[60:70] == [None] * 10
    assert found[70] == found[71] == {"_id": ids[0], "n": 0}  # only the fields asked for
    assert 0 < lookup.queries - before <= 5  # 72 lookups, a handful of queries


async def test_a_lone_lookup_is_sent_at_once_and_sees_earlier_writes(runtime: Runtime) -> None:
    lookup = runtime.mongo.lookup("docs")
    doc_id = str(uuid.uuid4())
    assert await lookup.get(doc_id) is None
    await runtime.mongo.collection("docs").insert_one({"_id": doc_id, "n": 1})
    assert await lookup.get(doc_id) == {"_id": doc_id, "n": 1}


async def test_a_failed_query_fails_every_lookup_in_it_and_nothing_hangs(runtime: Runtime) -> None:
    docs = runtime.mongo.collection("docs")
    await docs.insert_one({"_id": "kept", "n": 1})
    lookup = GroupFind(docs, {"n": 1, "_id": 1, "other": 0})  # the server refuses this projection

    outcomes = await asyncio.gather(*(lookup.get("kept") for _ in range(5)), return_exceptions=True)

    assert all(isinstance(outcome, OperationFailure) for outcome in outcomes), outcomes
    with pytest.raises(OperationFailure):  # a later lookup is sent, and fails the same way
        await asyncio.wait_for(lookup.get("kept"), 10)


async def test_aggregates_load_through_grouped_lookups(runtime: Runtime) -> None:
    """Concurrent loads of many aggregates (a consumer's batch) take a few queries, not one each."""
    things = Aggregates(runtime, "things", Thing, "thing_id")
    ids = [str(uuid.uuid4()) for _ in range(40)]
    for thing_id in ids:
        await things.save(
            Thing(thing_id=thing_id, status="offered"),
            [offer_made(offer_id=thing_id)],
            correlation_id=None,
            actor=None,
        )
    snapshots = runtime.mongo.lookup("things")
    before = snapshots.queries

    loaded = await asyncio.gather(*(things.get(i) for i in ids), *(things.peek(i) for i in ids))

    assert [t and (t.thing_id, t.status, t.version) for t in loaded] == [(i, "offered", 1) for i in ids] * 2
    assert 0 < snapshots.queries - before <= 10


async def test_lookups_asked_as_earlier_ones_are_answered_are_never_left_waiting(runtime: Runtime) -> None:
    """A lookup that arrives while the readers are finishing still gets a reader (each caller
    asks again the moment it is answered, the pattern of a consumer's concurrent handlers)."""
    docs = runtime.mongo.collection("docs")
    await docs.insert_one({"_id": "here", "n": 1})
    lookup = GroupFind(docs)

    async def ask_again_and_again() -> int:
        answered = 0
        for _ in range(150):
            assert await asyncio.wait_for(lookup.get("here"), 10) == {"_id": "here", "n": 1}
            answered += 1
        return answered

    assert await asyncio.gather(*(ask_again_and_again() for _ in range(4))) == [150] * 4
