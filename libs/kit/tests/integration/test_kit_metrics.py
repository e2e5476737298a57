"""/metrics: served by every service app on its own port, and moving when events flow."""

from __future__ import annotations

import re

import pytest
from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from cqrs_contracts.envelope import Envelope, envelope_for, to_kafka_headers
from cqrs_contracts.events import OfferMade
from cqrs_contracts.registry import serialize
from cqrs_kit import metrics
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.app import ServiceSpec, create_service_app, runtime_of
from cqrs_kit.runtime import Runtime
from cqrs_kit.testing import (
    eventually,
    isolated_settings,
    new_ods_code,
    offer_made,
    running_app,
    skip_history,
)

pytestmark = pytest.mark.integration
OFFER_TYPE = OfferMade.ce_type()


class Thing(BaseModel):
    """An aggregate that only remembers it saw an offer."""

    thing_id: str
    version: int = 0


def _value(text: str, name: str, **labels: str) -> float:
    """One sample's value from the exposition text (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_are_served_and_move_when_events_flow(infra: dict[str, str]) -> None:
    """HTTP, consumed and published events per type, handler time, lag, outbox and dead letters."""
    provider = new_ods_code("M")
    settings = isolated_settings("opsmetrics")
    await skip_history(settings.group, OfferMade.topic)

    def subscribe(runtime: Runtime) -> None:
        things = Aggregates(runtime, "things", Thing, "thing_id")

        @runtime.consumer.on(OfferMade)
        async def on_offer(event: OfferMade, envelope: Envelope) -> None:
            if event.provider_organisation_id != provider or envelope.source == runtime.source:
                return
            # Publish one event per offer through the outbox, as a service's save does.
            seen = Thing(thing_id=event.offer_id)
            await things.save(seen, [event], correlation_id=envelope.correlation_id, actor=None)

    spec = ServiceSpec(
        name="opsmetrics", description="metrics", subscribe=subscribe, outbox_collections=["things"]
    )
    app = create_service_app(spec, settings)
    async with running_app(app) as client:
        assert (await client.get("/api/opsmetrics/metrics")).status_code == 404  # what the gateway reaches
        first = await client.get("/metrics")
        assert first.status_code == 200
        assert "cqrs_service_info" in first.text
        assert await client.get("/api/opsmetrics/openapi.json")  # an HTTP request to count
        producer = AIOKafkaProducer(bootstrap_servers=infra["CQRS_KAFKA_BOOTSTRAP"], acks="all")
        await producer.start()
        try:
            for _ in range(3):
                offer = offer_made(provider_organisation_id=provider)
                headers = to_kafka_headers(envelope_for(offer, source="/test", correlation_id="metrics"))
                await producer.send_and_wait(
                    OfferMade.topic, serialize(offer), key=offer.offer_id.encode(), headers=headers
                )
        finally:
            await producer.stop()

        async def published_three() -> str | None:
            text = (await client.get("/metrics")).text
            return text if _value(text, "cqrs_events_published_total", type=OFFER_TYPE) >= 3 else None

        text = await eventually(published_three, timeout=30)
        await metrics.refresh(runtime_of(app), ["things"])
        text = (await client.get("/metrics")).text

    assert _value(text, "cqrs_events_consumed_total", type=OFFER_TYPE) >= 3
    assert _value(text, "cqrs_event_handler_seconds_count", type=OFFER_TYPE) >= 3
    assert _value(text, "http_requests_total", handler="/api/opsmetrics/openapi.json") >= 1
    assert re.search(r"^faststream_received_messages_total\{", text, re.M), "FastStream's Kafka metrics"
    assert _value(text, "cqrs_outbox_backlog", collection="things") == 0  # the relay published them all
    assert _value(text, "cqrs_outbox_oldest_unpublished_seconds", collection="things") == 0
    lag = [line for line in text.splitlines() if line.startswith("cqrs_consumer_lag{")]
    assert any(
        f'group="{settings.group}"' in line and f'topic="{OfferMade.topic}"' in line for line in lag
    ), lag
    assert "cqrs_dead_lettered " in text


async def test_the_local_gateway_does_not_serve_metrics(infra: dict[str, str]) -> None:
    """Through the running nginx gateway /metrics is a 404 (the gateway routes only /api/<service>/,
    and no service serves metrics below that prefix: see the test above)."""
    import httpx  # noqa: PLC0415

    async with httpx.AsyncClient(base_url=infra["CQRS_GATEWAY_URL"], timeout=5) as client:
        response = await client.get("/metrics")
        assert response.status_code == 404
        assert "http_requests_total" not in response.text
