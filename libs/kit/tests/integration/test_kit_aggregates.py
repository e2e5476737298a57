"""Saving aggregates on the real FerretDB: one commit record per save is the commit point, the
snapshot may lag without harm, and the records are the aggregate's history."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import BaseModel

from cqrs_contracts.events import OfferMade
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.errors import VersionConflict
from cqrs_kit.mongo import Index
from cqrs_kit.runtime import Runtime
from cqrs_kit.testing import isolated_settings, offer_made


class Thing(BaseModel):
    thing_id: str
    status: str = "new"
    tags: list[str] = []
    email: str | None = None
    version: int = 0


def event(thing_id: str, payment_type: str = "Local") -> OfferMade:
    return offer_made(offer_id=thing_id, payment_type=payment_type)


@pytest.fixture
async def runtime(infra: dict[str, str]) -> AsyncIterator[Runtime]:
    runtime = Runtime.build(isolated_settings("kitagg"), outbox_collections=["things"])
    await runtime.mongo.ensure_indexes([Index("things", ["email"], unique=True, options={"sparse": True})])
    yield runtime
    await runtime.mongo.client.drop_database(runtime.mongo.db.name)
    await runtime.mongo.close()


@pytest.fixture
def things(runtime: Runtime) -> Aggregates[Thing]:
    return Aggregates(runtime, "things", Thing, "thing_id")


async def test_a_save_is_one_insert_guarded_by_version(things: Aggregates[Thing]) -> None:
    thing_id = str(uuid.uuid4())
    one = await things.save(
        Thing(thing_id=thing_id, status="offered"), [event(thing_id)], correlation_id="c1", actor="u1"
    )
    assert one.version == 1
    two = await things.save(
        one.model_copy(update={"status": "accepted"}),
        [event(thing_id, "A"), event(thing_id, "B")],
        correlation_id="c2",
        actor="u2",
        cause="event-7",
    )
    assert two.version == 2
    with pytest.raises(VersionConflict, match="expected version 1"):
        await things.save(
            one.model_copy(update={"status": "rejected"}), [event(thing_id)], correlation_id="c3", actor=None
        )
    with pytest.raises(VersionConflict):
        await things.save(Thing(thing_id=thing_id), [], correlation_id="c4", actor=None)

    loaded = await things.get(thing_id)
    assert loaded is not None
    assert (loaded.status, loaded.version) == ("accepted", 2)
    records = await things.commits.find({"aggregate_id": thing_id}).to_list()
    assert sorted(r["_id"] for r in records) == [f"{thing_id}:1", f"{thing_id}:2"]
    second = next(r for r in records if r["version"] == 2)
    assert [e["type"] for e in second["entries"]] == ["uk.nhs.cqrs.participation.OfferMade.v1"] * 2
    assert [e["headers"]["ce_sequence"] for e in second["entries"]] == [
        "000000000002.0000",
        "000000000002.0001",
    ]
    assert second["entries"][0]["headers"]["ce_causationid"] == "event-7"
    pending = await things.outbox.find({"aggregate_id": thing_id}).to_list()
    # one entry per save that happened, left for the relay (not running here); the conflicting
    # save with events removed its own (it would have made the relay send version 2 twice)
    assert sorted(e["record_id"] for e in pending) == [f"{thing_id}:1", f"{thing_id}:2"]

    history = await things.history(thing_id)
    assert [(c.version, c.actor, c.correlation_id, c.cause) for c in history] == [
        (1, "u1", "c1", None),
        (2, "u2", "c2", "event-7"),
    ]
    assert [e.data["payment_type"] for e in history[1].events] == ["A", "B"]
    assert await things.applied(thing_id, "event-7")
    assert not await things.applied(thing_id, "event-8")


async def test_a_lagging_snapshot_is_harmless(things: Aggregates[Thing]) -> None:
    thing_id = str(uuid.uuid4())
    saved = await things.save(Thing(thing_id=thing_id, status="offered"), [], correlation_id="c", actor=None)
    saved = await things.save(
        saved.model_copy(update={"status": "accepted"}), [], correlation_id="c", actor=None
    )
    # As if the process died after inserting version 2 and before writing its snapshot:
    await things.collection.replace_one({"_id": thing_id}, {"status": "offered", "tags": [], "version": 1})

    loaded = await things.get(thing_id)
    assert loaded is not None
    assert (loaded.status, loaded.version) == ("accepted", 2)
    with pytest.raises(VersionConflict):  # a writer holding version 1 cannot overwrite version 2
        await things.save(
            Thing(thing_id=thing_id, status="stale", version=1), [], correlation_id="c", actor=None
        )
    snapshot = await things.collection.find_one({"_id": thing_id})
    assert snapshot is not None
    assert snapshot["version"] == 2  # loading repaired it


async def test_a_save_whose_pending_entry_fails_commits_nothing(
    things: Aggregates[Thing], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pending entry goes in before the record: a record never exists that the relay cannot find."""

    async def refused(document: Any) -> None:
        raise ConnectionError("database went away")

    monkeypatch.setattr(things, "_insert_pending", refused)
    thing_id = str(uuid.uuid4())
    with pytest.raises(ConnectionError):
        await things.save(Thing(thing_id=thing_id), [event(thing_id)], correlation_id="c", actor=None)
    assert await things.commits.count_documents({"aggregate_id": thing_id}) == 0
    assert await things.get(thing_id) is None


async def test_peek_is_the_snapshot_as_it_stands(things: Aggregates[Thing]) -> None:
    """One lookup, and it may lag: a cheap 'already done?' before work a save guards anyway."""
    thing_id = str(uuid.uuid4())
    assert await things.peek(thing_id) is None
    saved = await things.save(Thing(thing_id=thing_id, status="offered"), [], correlation_id="c", actor=None)
    peeked = await things.peek(thing_id)
    assert peeked is not None
    assert (peeked.thing_id, peeked.status, peeked.version) == (thing_id, "offered", 1)
    await things.save(saved.model_copy(update={"status": "accepted"}), [], correlation_id="c", actor=None)
    await things.collection.replace_one({"_id": thing_id}, {"status": "offered", "tags": [], "version": 1})
    lagging = await things.peek(thing_id)
    assert lagging is not None
    assert (lagging.status, lagging.version) == ("offered", 1)
    loaded = await things.get(thing_id)
    assert loaded is not None
    assert (loaded.status, loaded.version) == ("accepted", 2)


async def test_a_save_without_events_leaves_nothing_to_publish(things: Aggregates[Thing]) -> None:
    thing_id = str(uuid.uuid4())
    await things.save(Thing(thing_id=thing_id, tags=["quiet"]), [], correlation_id="c", actor=None)
    assert await things.outbox.count_documents({"aggregate_id": thing_id}) == 0
    found = await things.find({"tags": "quiet"})
    assert [t.thing_id for t in found] == [thing_id]


async def test_a_unique_index_on_the_snapshots_still_refuses_a_save(things: Aggregates[Thing]) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    email = f"{first}@example.org"
    await things.save(Thing(thing_id=first, email=email), [event(first)], correlation_id="c", actor=None)
    with pytest.raises(VersionConflict, match="unique"):
        await things.save(
            Thing(thing_id=second, email=email), [event(second)], correlation_id="c", actor=None
        )
    assert await things.get(second) is None
    assert await things.history(second) == []
    other = await things.save(
        Thing(thing_id=second, email="other@example.org"), [], correlation_id="c", actor=None
    )
    with pytest.raises(VersionConflict, match="unique"):
        await things.save(other.model_copy(update={"email": email}), [], correlation_id="c", actor=None)
    kept = await things.get(second)
    assert kept is not None
    assert (kept.email, kept.version) == ("other@example.org", 1)


async def test_concurrent_saves_share_a_commit_and_each_gets_its_own_outcome(
    runtime: Runtime, things: Aggregates[Thing]
) -> None:
    """Group commit: saves racing in one process share insert_many batches, yet a save that loses
    the version race (or takes a unique value) fails alone and the others stand."""
    raced, fresh = str(uuid.uuid4()), [str(uuid.uuid4()) for _ in range(30)]
    email = f"{uuid.uuid4()}@example.org"
    batches = runtime.mongo.grouped("things_events").batches

    async def attempt(thing: Thing) -> str:
        try:
            await things.save(thing, [event(thing.thing_id)], correlation_id=None, actor=None)
        except VersionConflict:
            return "409"
        return "saved"

    outcomes = await asyncio.gather(
        *(attempt(Thing(thing_id=raced, status=f"try {n}")) for n in range(5)),
        *(
            attempt(Thing(thing_id=t, email=email if n < 2 else f"{t}@example.org"))
            for n, t in enumerate(fresh)
        ),
    )
    assert sorted(outcomes[:5]) == ["409", "409", "409", "409", "saved"]  # one version 1 only
    assert sorted(outcomes[5:7]) == ["409", "saved"]  # the unique email went to one of the two
    assert outcomes[7:] == ["saved"] * 28
    assert 0 < runtime.mongo.grouped("things_events").batches - batches < 35  # fewer commits than saves
    assert await things.commits.count_documents({"aggregate_id": raced}) == 1
    assert await things.collection.count_documents({"email": email}) == 1
    for thing_id in fresh[2:]:
        assert (await things.get(thing_id)) is not None
