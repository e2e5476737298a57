"""cqrsctl against the real stack: a dead letter replayed is applied once; a rebuild answers the same."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from pymongo.errors import DuplicateKeyError
from typer.testing import CliRunner

from cqrs_contracts.envelope import Envelope, envelope_for, to_kafka_headers
from cqrs_contracts.events import OfferMade
from cqrs_contracts.registry import serialize
from cqrs_kit.app import ServiceSpec, create_service_app, runtime_of
from cqrs_kit.errors import DomainError
from cqrs_kit.idempotency import derived_id
from cqrs_kit.runtime import Runtime
from cqrs_kit.settings import ServiceSettings
from cqrs_kit.testing import (
    eventually,
    isolated_settings,
    new_ods_code,
    offer_made,
    running_app,
    skip_all_history,
    skip_history,
)
from cqrs_ops import deadletters, history, rebuild
from cqrs_ops.cli import app as cqrsctl

pytestmark = pytest.mark.integration


async def publish_offers(bootstrap: str, provider: str, count: int) -> list[OfferMade]:
    """OfferMade events as participation publishes them (CloudEvents headers, keyed by offer id)."""
    offers = [
        offer_made(provider_organisation_id=provider, quality_service_id=f"QS-OPS{i}") for i in range(count)
    ]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for offer in offers:
            headers = to_kafka_headers(
                envelope_for(offer, source="/test/ops", correlation_id=f"ops-{provider}")
            )
            await producer.send_and_wait(
                OfferMade.topic, serialize(offer), key=offer.offer_id.encode(), headers=headers
            )
    finally:
        await producer.stop()
    return offers


class Probe:
    """A consumer that refuses one provider's offers until fixed, then records each once (an insert
    with a derived id); other tests' offers on the shared topic are none of its business."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.broken = True
        self.deliveries = 0

    def subscribe(self, runtime: Runtime) -> None:
        """Register the handler; its effect is an insert keyed by the event id."""
        applied = runtime.mongo.collection("applied")

        @runtime.consumer.on(OfferMade)
        async def on_offer(event: OfferMade, envelope: Envelope) -> None:
            if event.provider_organisation_id != self.provider:
                return
            self.deliveries += 1
            if self.broken:
                raise DomainError("the probe is broken until the operator fixes it")
            with contextlib.suppress(DuplicateKeyError):
                await applied.insert_one(
                    {"_id": derived_id(envelope.id, "probe"), "offer_id": event.offer_id}
                )


@contextlib.asynccontextmanager
async def probe_app(probe: Probe, settings: ServiceSettings) -> AsyncIterator[Any]:
    """The probe as a kit service (real consumer, real dead-letter path)."""
    app = create_service_app(
        ServiceSpec(name=settings.service_name, description="probe", subscribe=probe.subscribe), settings
    )
    await skip_all_history(app)  # its Directory too: only what the test publishes
    async with running_app(app):
        yield app


async def test_a_replayed_dead_letter_is_applied_once(infra: dict[str, str]) -> None:
    """Dead-lettered by a failing handler, replayed twice after the fix: one effect, nothing pending."""
    bootstrap = infra["CQRS_KAFKA_BOOTSTRAP"]
    provider = new_ods_code("P")
    probe = Probe(provider)
    settings = isolated_settings("opsprobe")
    await skip_history(settings.group, OfferMade.topic)
    topic = deadletters.topic_of(settings.group)
    async with probe_app(probe, settings) as app:
        applied = runtime_of(app).mongo.collection("applied")
        [offer] = await publish_offers(bootstrap, provider, 1)
        [letter] = await eventually(lambda: deadletters.pending(bootstrap, topic), timeout=30)
        assert letter.headers["dlq_original_topic"] == OfferMade.topic
        assert "the probe is broken" in letter.error
        assert letter.event_type == OfferMade.ce_type()

        probe.broken = False
        assert await deadletters.replay(bootstrap, [letter], operator="test") == 1
        await eventually(lambda: applied.count_documents({"offer_id": offer.offer_id}), timeout=30)
        # Replayed again (as after a crash between publishing and recording): delivered, not re-applied.
        await deadletters.replay(bootstrap, [letter], operator="test")
        await eventually(lambda: _at_least(probe, 3), timeout=30)
        assert await applied.count_documents({"offer_id": offer.offer_id}) == 1

    assert await deadletters.pending(bootstrap, topic) == []
    [summary] = [s for s in await deadletters.summaries(bootstrap) if s.topic == topic]
    assert (summary.total, summary.resolved, summary.pending) == (1, 1, 0)
    decisions = await deadletters.resolutions(bootstrap)
    assert decisions[letter.ref]["action"] == "replayed"
    assert decisions[letter.ref]["operator"] == "test"


async def _at_least(probe: Probe, deliveries: int) -> bool:
    return probe.deliveries >= deliveries


async def test_discard_records_the_reason_and_the_cli_lists_it(infra: dict[str, str]) -> None:
    """A discarded dead letter is no longer pending; its reason and operator are on record."""
    bootstrap = infra["CQRS_KAFKA_BOOTSTRAP"]
    provider = new_ods_code("P")
    probe = Probe(provider)
    settings = isolated_settings("opsprobe")
    await skip_history(settings.group, OfferMade.topic)
    topic = deadletters.topic_of(settings.group)
    async with probe_app(probe, settings):
        await publish_offers(bootstrap, provider, 1)
        [letter] = await eventually(lambda: deadletters.pending(bootstrap, topic), timeout=30)
    with pytest.raises(ValueError, match="reason is required"):
        await deadletters.discard(bootstrap, letter, reason=" ", operator="test")
    result = await asyncio.to_thread(  # the CLI runs its own event loop
        CliRunner().invoke,
        cqrsctl,
        [
            "deadletter",
            "discard",
            settings.group,
            f"{letter.partition}/{letter.offset}",
            "--reason",
            "bad data",
            "--operator",
            "night-shift",
            "--bootstrap",
            bootstrap,
        ],
    )
    assert result.exit_code == 0, result.output
    decision = (await deadletters.resolutions(bootstrap))[letter.ref]
    assert (decision["action"], decision["reason"], decision["operator"]) == (
        "discarded",
        "bad data",
        "night-shift",
    )
    assert await deadletters.pending(bootstrap, topic) == []
    listed = await asyncio.to_thread(
        CliRunner().invoke, cqrsctl, ["deadletter", "list", "--bootstrap", bootstrap], env={"COLUMNS": "250"}
    )
    assert listed.exit_code == 0, listed.output
    assert settings.group in listed.output


@pytest.mark.timeout(900)
async def test_rebuild_gives_the_same_answers(infra: dict[str, str]) -> None:
    """A service's read model rebuilt from the whole offer topic into a fresh database is the same, and
    what is not a read model (its own records) is copied as it was."""
    bootstrap = infra["CQRS_KAFKA_BOOTSTRAP"]
    provider = new_ods_code("R")
    probe = Probe(provider)
    probe.broken = False
    spec = ServiceSpec(
        name="opsprobe", description="probe", subscribe=probe.subscribe, read_models=["applied"]
    )
    settings = isolated_settings("opsprobe")
    await skip_history(settings.group, OfferMade.topic)  # the service as it runs: caught up already
    app = create_service_app(spec, settings)
    async with running_app(app):
        mongo = runtime_of(app).mongo
        await mongo.collection("notes").insert_one({"_id": "kept", "text": "not built from events"})
        offers = await publish_offers(bootstrap, provider, 3)
        applied = mongo.collection("applied")
        await eventually(lambda: _count(applied, {"offer_id": {"$in": [o.offer_id for o in offers]}}, 3))
        before = await applied.find({"offer_id": {"$in": [o.offer_id for o in offers]}}).sort("_id").to_list()

    built = await rebuild.rebuild(
        "opsprobe", settings, spec=spec, create_app=lambda s: create_service_app(spec, s), timeout=600
    )
    assert built.database != settings.database_name
    assert "applied" in built.read_models
    assert built.copied.get("notes") == 1
    assert built.replayed >= 3
    assert f"CQRS_MONGO_DATABASE={built.database}" in built.switch()
    rebuilt = create_service_app(spec, settings.model_copy(update={"mongo_database": built.database}))
    target = runtime_of(rebuilt).mongo
    try:
        after = (
            await target.collection("applied")
            .find({"offer_id": {"$in": [o.offer_id for o in offers]}})
            .sort("_id")
            .to_list()
        )
        assert after == before
        assert await target.collection("notes").find_one({"_id": "kept"}) == {
            "_id": "kept",
            "text": "not built from events",
        }
    finally:
        await target.close()

    [entry] = await history.from_topic(bootstrap, OfferMade.topic, offers[0].offer_id)
    assert entry.type == OfferMade.ce_type()
    assert entry.body["offer_id"] == offers[0].offer_id
    assert entry.correlation_id == f"ops-{provider}"


async def _count(collection: Any, query: dict[str, Any], expected: int) -> bool:
    return bool(await collection.count_documents(query) == expected)


async def test_rebuild_refuses_the_current_database(infra: dict[str, str]) -> None:
    """Rebuilding into the database in use would destroy it: refused before anything is touched."""
    settings = isolated_settings("notifications")
    with pytest.raises(ValueError, match="new database"):
        await rebuild.rebuild("notifications", settings, into=settings.database_name)
