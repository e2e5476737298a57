"""The relay on the real FerretDB and Kafka: each aggregate's events in order, cleared from the
outbox only after the broker's ack, a failing aggregate backing off alone, and the safety net
running under load."""

import asyncio
import datetime as dt
import json
import math
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest
from pydantic import BaseModel

from cqrs_contracts.events import OfferMade
from cqrs_kit import outbox
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.outbox import OutboxRelay
from cqrs_kit.runtime import Runtime
from cqrs_kit.testing import eventually, isolated_settings, offer_made, read_topic


class Thing(BaseModel):
    thing_id: str
    n: int = 0
    version: int = 0


@pytest.fixture
async def runtime(infra: dict[str, str]) -> AsyncIterator[Runtime]:
    runtime = Runtime.build(
        isolated_settings("kitrelay", relay_poll_seconds=0.3), outbox_collections=["things"]
    )
    await runtime.broker.start()
    yield runtime
    await runtime.relay.stop()
    await runtime.broker.stop()
    await runtime.mongo.client.drop_database(runtime.mongo.db.name)
    await runtime.mongo.close()


def things(runtime: Runtime) -> Aggregates[Thing]:
    return Aggregates(runtime, "things", Thing, "thing_id")


async def save_many(store: Aggregates[Thing], thing_id: str, count: int) -> None:
    state = Thing(thing_id=thing_id)
    for n in range(count):
        event = offer_made(offer_id=thing_id, payment_type=f"type-{n}")
        state = await store.save(
            state.model_copy(update={"n": n}), [event], correlation_id="corr", actor=None
        )


async def on_topic(key: str, count: int) -> list[tuple[str, dict[str, bytes]]]:
    records = await read_topic(
        OfferMade.topic, timeout=60, until=lambda rs: sum(r.key == key.encode() for r in rs) >= count
    )
    return [(json.loads(r.value)["payment_type"], dict(r.headers)) for r in records if r.key == key.encode()]


async def test_published_in_order_and_marked_only_after_the_ack(runtime: Runtime) -> None:
    store = things(runtime)
    thing_id = str(uuid.uuid4())
    await save_many(store, thing_id, 5)
    sent: list[str] = []

    async def send(entry: Mapping[str, Any]) -> Any:
        sent.append(json.loads(entry["body"])["payment_type"])
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if len(sent) == 3:
            ack.set_exception(ConnectionError("broker went away"))
        else:
            ack.set_result(None)
        return ack

    failing = OutboxRelay([store.commits], send)
    await failing.run_once()
    assert sent == [f"type-{n}" for n in range(5)]  # all sent at once, in order
    await failing.flush_marks()  # entries are cleared behind the sending (by the marker when started)
    pending = await store.outbox.find({"aggregate_id": thing_id}).to_list()
    assert sorted(e["version"] for e in pending) == [3, 4, 5]  # acked prefix cleared, nothing else

    assert await runtime.relay.drain() == 3
    assert await store.outbox.count_documents({"aggregate_id": thing_id}) == 0
    mine = await on_topic(thing_id, 3)
    assert [p for p, _ in mine] == ["type-2", "type-3", "type-4"]
    headers = mine[0][1]
    assert headers["ce_type"] == b"uk.nhs.cqrs.participation.OfferMade.v1"
    assert headers["ce_subject"] == thing_id.encode()
    assert headers["ce_sequence"] == b"000000000003.0000"


async def test_a_poisoned_aggregate_backs_off_alone(runtime: Runtime) -> None:
    store = things(runtime)
    poisoned = str(uuid.uuid4())
    real = runtime.relay._send
    attempts: list[str] = []

    async def send(entry: Mapping[str, Any]) -> Any:
        if entry["key"] == poisoned:
            attempts.append(entry["id"])
            raise ValueError("message too large")
        return await real(entry)

    relay = OutboxRelay([store.commits], send, poll_seconds=0.3, max_backoff=30)
    runtime.relay = relay
    relay.start()
    await save_many(store, poisoned, 1)
    others = [str(uuid.uuid4()) for _ in range(10)]
    for other in others:
        await save_many(store, other, 2)

    async def others_published() -> bool:
        return await store.outbox.count_documents({}) == 1

    started = time.monotonic()
    await eventually(others_published, timeout=30)
    await asyncio.sleep(3)  # long enough that retrying on every pass would show
    tried, elapsed = len(attempts), time.monotonic() - started
    await relay.stop()
    # backing off (0.2, 0.4, 0.8 s ...), not retried on every 0.3 s pass
    assert 1 <= tried <= 2 + math.log2(1 + elapsed / 0.2), (tried, elapsed)
    for other in others:
        assert [p for p, _ in await on_topic(other, 2)] == ["type-0", "type-1"]


async def test_the_safety_net_runs_under_steady_load(runtime: Runtime) -> None:
    store = things(runtime)
    runtime.relay.start()
    busy = str(uuid.uuid4())
    stop = asyncio.Event()

    async def steady_load() -> None:  # wakes the relay every 50 ms, far more often than its poll
        state = Thing(thing_id=busy)
        while not stop.is_set():
            state = await store.save(state, [offer_made(offer_id=busy)], correlation_id="load", actor=None)
            await asyncio.sleep(0.05)

    load = asyncio.create_task(steady_load())
    try:
        await asyncio.sleep(1)
        # Another process saves and dies before its relay publishes: nobody wakes ours for it.
        other = Runtime.build(runtime.settings, outbox_collections=["things"])
        left = str(uuid.uuid4())
        await save_many(things(other), left, 1)
        assert [p for p, _ in await on_topic(left, 1)] == ["type-0"]
    finally:
        stop.set()
        await load


class _MarksHeld:
    """The outbox collection, with every delete of sent entries held until released."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self.released = asyncio.Event()
        self.name = collection.name

    def find(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.find(*args, **kwargs)

    async def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        await self.released.wait()
        return await self._collection.delete_many(*args, **kwargs)


async def test_sending_does_not_wait_for_the_marks(runtime: Runtime) -> None:
    """Clearing the outbox is written behind the sending: events go out while it waits."""
    store = things(runtime)
    held = _MarksHeld(store.outbox)
    relay = OutboxRelay([store.commits], runtime.relay._send, poll_seconds=0.3)
    relay._outboxes["things"] = held  # type: ignore[assignment]
    runtime.relay = relay
    relay.start()
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for thing_id in ids:
        await save_many(store, thing_id, 2)
    for thing_id in ids:
        assert [p for p, _ in await on_topic(thing_id, 2)] == ["type-0", "type-1"]
    assert await store.outbox.count_documents({"aggregate_id": {"$in": ids}}) == 6
    held.released.set()

    async def marked() -> bool:
        return await store.outbox.count_documents({"aggregate_id": {"$in": ids}}) == 0

    await eventually(marked, timeout=30)


async def test_a_version_saved_elsewhere_goes_out_before_the_next_one_saved_here(runtime: Runtime) -> None:
    """A record handed over by a save goes straight out only when this relay sent the version
    before it; otherwise the aggregate's pending records are read and sent in order."""
    store = things(runtime)
    runtime.relay.start()
    elsewhere = Runtime.build(runtime.settings, outbox_collections=["things"])  # its relay never runs
    thing_id = str(uuid.uuid4())
    state = await store.save(
        Thing(thing_id=thing_id),
        [offer_made(offer_id=thing_id, payment_type="v1")],
        correlation_id="c",
        actor=None,
    )
    assert [p for p, _ in await on_topic(thing_id, 1)] == ["v1"]
    state = await things(elsewhere).save(
        state, [offer_made(offer_id=thing_id, payment_type="v2")], correlation_id="c", actor=None
    )
    await store.save(
        state, [offer_made(offer_id=thing_id, payment_type="v3")], correlation_id="c", actor=None
    )
    seen = [p for p, _ in await on_topic(thing_id, 3)]
    assert [p for n, p in enumerate(seen) if p not in seen[:n]] == ["v1", "v2", "v3"]
    await elsewhere.mongo.close()


async def test_the_same_id_in_two_collections_is_two_aggregates_to_the_relay(runtime: Runtime) -> None:
    """Commit record ids repeat across collections (an organisation and its PCN memberships share
    "<ods code>:<version>"): what the relay sent of one must not pass for the other's."""
    store, others = things(runtime), Aggregates(runtime, "others", Thing, "thing_id")
    relay = OutboxRelay([store.commits, others.commits], runtime.relay._send, poll_seconds=0.3)
    runtime.relay = relay
    relay.start()
    shared = str(uuid.uuid4())

    async def save(into: Aggregates[Thing], state: Thing, label: str) -> Thing:
        event = offer_made(offer_id=shared, payment_type=label)
        return await into.save(state, [event], correlation_id="c", actor=None)

    await save(others, Thing(thing_id=shared), "other-v1")
    assert [p for p, _ in await on_topic(shared, 1)] == ["other-v1"]
    await save(store, await save(store, Thing(thing_id=shared), "v1"), "v2")
    seen = [p for p, _ in await on_topic(shared, 3)]
    assert [p for n, p in enumerate(seen) if p not in seen[:n] and p != "other-v1"] == ["v1", "v2"]


async def test_an_entry_whose_save_failed_holds_nothing_up_and_is_removed_once_abandoned(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save that inserted its pending entry and then failed leaves an entry with no record: the
    relay skips it (its save may still be writing), other aggregates go on, and once it is older
    than ABANDONED_SECONDS it is removed; a later save of that version is still published."""
    store = things(runtime)
    lost = str(uuid.uuid4())
    await store.outbox.insert_one(
        {
            "_id": f"{lost}:1#failed",
            "record_id": f"{lost}:1",
            "aggregate_id": lost,
            "version": 1,
            "created_at": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30),
        }
    )
    other = str(uuid.uuid4())
    await save_many(store, other, 2)
    assert await runtime.relay.drain() == 2
    assert await store.outbox.count_documents({"aggregate_id": lost}) == 1  # may still be saving
    monkeypatch.setattr(outbox, "ABANDONED_SECONDS", 10.0)
    await runtime.relay.drain()
    assert await store.outbox.count_documents({"aggregate_id": lost}) == 0
    await save_many(store, lost, 1)
    assert await runtime.relay.drain() == 1
    assert [p for p, _ in await on_topic(lost, 1)] == ["type-0"]
    assert [p for p, _ in await on_topic(other, 2)] == ["type-0", "type-1"]
