"""`cqrsctl history` reads what the kit's saves commit: one record per save, its events in order."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from cqrs_contracts.events import OfferMade
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.app import ServiceSpec, create_service_app, runtime_of
from cqrs_kit.testing import isolated_settings, offer_made
from cqrs_ops import history

pytestmark = pytest.mark.integration


class Thing(BaseModel):
    """A probe aggregate."""

    thing_id: str
    version: int = 0


async def test_history_lists_every_saved_event_in_order(infra: dict[str, str]) -> None:
    """Two saves (two events, then one): three entries, by save then position, with who and why."""
    settings = isolated_settings("opshistory", relay_enabled=False)
    app = create_service_app(ServiceSpec(name="opshistory", description="history"), settings)
    runtime = runtime_of(app)
    things = Aggregates(runtime, "things", Thing, "thing_id")
    first, second, third = (offer_made(offer_id=f"offer-{n}") for n in range(3))
    try:
        saved = await things.save(Thing(thing_id="t1"), [first, second], correlation_id="c-1", actor="alice")
        await things.save(saved, [third], correlation_id="c-2", actor="bob")
        entries = await history.from_database(infra["CQRS_MONGO_URL"], settings.database_name, "things", "t1")
    finally:
        await runtime.mongo.close()

    assert [(e.sequence, e.position, e.body["offer_id"]) for e in entries] == [
        (1, 1, "offer-0"),
        (1, 2, "offer-1"),
        (2, 1, "offer-2"),
    ]
    assert {e.type for e in entries} == {OfferMade.ce_type()}
    assert [(e.actor, e.correlation_id) for e in entries] == [
        ("alice", "c-1"),
        ("alice", "c-1"),
        ("bob", "c-2"),
    ]
    assert all(e.event_id and e.time for e in entries)
