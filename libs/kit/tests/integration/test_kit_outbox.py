"""The outbox on the real FerretDB and Kafka: atomic version-guarded saves, ordered publishing,
removal only after the broker's ack."""

import json
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest

from cqrs_contracts.events import OfferMade
from cqrs_kit.broker import make_broker, relay_publisher
from cqrs_kit.errors import VersionConflict
from cqrs_kit.mongo import Collection, Mongo
from cqrs_kit.outbox import OutboxRelay, outbox_entries, save_aggregate
from cqrs_kit.testing import eventually, offer_made, read_topic, unique


def offer(offer_id: str, payment_type: str = "Local") -> OfferMade:
    return offer_made(offer_id=offer_id, payment_type=payment_type)


@pytest.fixture
async def collection(infra: dict[str, str]) -> AsyncIterator[Collection]:
    mongo = Mongo(infra["CQRS_MONGO_URL"], unique("test_outbox").replace("-", "_"))
    yield mongo.collection("aggregates")
    await mongo.client.drop_database(mongo.db.name)
    await mongo.close()


async def test_save_is_version_guarded_and_appends_events(collection: Collection) -> None:
    aggregate = str(uuid.uuid4())
    first = outbox_entries([offer(aggregate)], source="/test", correlation_id="c1")
    assert await save_aggregate(collection, aggregate, 0, {"status": "Offered"}, first) == 1
    second = outbox_entries([offer(aggregate, "QOF")], source="/test", correlation_id="c2")
    assert await save_aggregate(collection, aggregate, 1, {"status": "Approved"}, second) == 2

    with pytest.raises(VersionConflict, match="expected version 1"):
        await save_aggregate(collection, aggregate, 1, {"status": "Rejected"}, second)
    with pytest.raises(VersionConflict):
        await save_aggregate(collection, aggregate, 0, {"status": "Rejected"}, second)

    doc = await collection.find_one({"_id": aggregate})
    assert doc is not None
    assert doc["status"] == "Approved"
    assert doc["version"] == 2
    assert [e["id"] for e in doc["outbox"]] == [first[0]["id"], second[0]["id"]]


async def test_relay_publishes_in_order_and_removes_only_after_ack(
    collection: Collection, infra: dict[str, str]
) -> None:
    aggregate = str(uuid.uuid4())
    events = [offer(aggregate, f"type-{i}") for i in range(5)]
    for version, event in enumerate(events):
        entries = outbox_entries([event], source="/test", correlation_id="corr")
        await save_aggregate(collection, aggregate, version, {"n": version}, entries)

    published: list[Mapping[str, Any]] = []

    async def failing_publish(entry: Mapping[str, Any]) -> None:
        if len(published) == 2:
            raise ConnectionError("broker went away")
        published.append(entry)

    relay = OutboxRelay([collection], failing_publish)
    with pytest.raises(ConnectionError):
        await relay.drain()
    doc = await collection.find_one({"_id": aggregate})
    assert doc is not None
    assert len(doc["outbox"]) == 3  # the two acknowledged ones are gone, nothing else

    broker = make_broker(infra["CQRS_KAFKA_BOOTSTRAP"], client_id="test-relay")
    await broker.start()
    try:
        assert await OutboxRelay([collection], relay_publisher(broker)).drain() == 3
    finally:
        await broker.stop()
    doc = await collection.find_one({"_id": aggregate})
    assert doc is not None
    assert doc["outbox"] == []

    records = await read_topic(
        OfferMade.topic, timeout=30, until=lambda rs: sum(r.key == aggregate.encode() for r in rs) >= 3
    )
    mine = [r for r in records if r.key == aggregate.encode()]
    assert [json.loads(r.value)["payment_type"] for r in mine] == ["type-2", "type-3", "type-4"]
    assert len({r.partition for r in mine}) == 1
    headers = dict(mine[0].headers)
    assert headers["ce_type"] == b"uk.nhs.cqrs.participation.OfferMade.v1"
    assert headers["ce_subject"] == aggregate.encode()
    assert headers["ce_correlationid"] == b"corr"


async def test_saves_racing_the_relay_lose_nothing_and_publish_once(
    collection: Collection, infra: dict[str, str]
) -> None:
    """FerretDB v1 updates are read-modify-write; the kit's write lock keeps racing writers apart."""
    aggregate = str(uuid.uuid4())
    broker = make_broker(infra["CQRS_KAFKA_BOOTSTRAP"], client_id="test-race")
    await broker.start()
    relay = OutboxRelay([collection], relay_publisher(broker), poll_seconds=0.2)
    relay.start()
    saves = 120
    try:
        for version in range(saves):
            entries = outbox_entries(
                [offer(aggregate, f"type-{version}")], source="/test", correlation_id="race"
            )
            await save_aggregate(collection, aggregate, version, {"n": version}, entries)
            relay.wake(collection.name, aggregate)

        async def drained() -> bool:
            doc = await collection.find_one({"_id": aggregate})
            return doc is not None and doc["outbox"] == [] and not doc["outbox_pending"]

        await eventually(drained, timeout=60)
    finally:
        await relay.stop()
        await broker.stop()
    doc = await collection.find_one({"_id": aggregate})
    assert doc is not None
    assert (doc["version"], doc["n"]) == (saves, saves - 1)
    records = await read_topic(
        OfferMade.topic, timeout=60, until=lambda rs: sum(r.key == aggregate.encode() for r in rs) >= saves
    )
    mine = [json.loads(r.value)["payment_type"] for r in records if r.key == aggregate.encode()]
    assert mine == [f"type-{v}" for v in range(saves)]  # every event, once, in order
