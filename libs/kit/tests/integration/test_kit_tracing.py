"""One trace from an HTTP request through the outbox and Kafka into another service's consumer."""

from __future__ import annotations

import secrets

import pytest
from fastapi import APIRouter, status
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pydantic import BaseModel

from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events import OfferMade
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.app import ServiceSpec, create_service_app, runtime_of
from cqrs_kit.auth import CurrentUser
from cqrs_kit.runtime import Runtime, RuntimeDep
from cqrs_kit.testing import (
    bearer,
    eventually,
    grant,
    isolated_settings,
    new_ods_code,
    offer_made,
    running_app,
    skip_history,
)

pytestmark = pytest.mark.integration
OFFER_TYPE = OfferMade.ce_type()


class Thing(BaseModel):
    """An aggregate of the saving service: one per offer it was asked to make."""

    thing_id: str
    version: int = 0


def _saving_service() -> ServiceSpec:
    """Service A: POST /things/{provider} saves an aggregate whose event goes out through the outbox."""
    router = APIRouter()

    @router.post("/things/{provider}", status_code=status.HTTP_201_CREATED)
    async def make_thing(provider: str, runtime: RuntimeDep, _user: CurrentUser) -> dict[str, str]:
        """Save a new aggregate with one OfferMade event."""
        event = offer_made(provider_organisation_id=provider)
        things = Aggregates(runtime, "things", Thing, "thing_id")
        await things.save(Thing(thing_id=event.offer_id), [event], correlation_id=None, actor="test")
        return {"offer_id": event.offer_id}

    return ServiceSpec(
        name="tracea", description="saves", routers=[router], outbox_collections=["things"], extra_topics=[]
    )


def _consuming_service(provider: str) -> ServiceSpec:
    """Service B: records every OfferMade for the test's provider."""

    def subscribe(runtime: Runtime) -> None:
        seen = runtime.mongo.collection("seen")

        @runtime.consumer.on(OfferMade)
        async def on_offer(event: OfferMade, envelope: Envelope) -> None:
            if event.provider_organisation_id == provider:
                await seen.update_one({"_id": envelope.id}, {"$set": {"offer": event.offer_id}}, upsert=True)

    return ServiceSpec(name="traceb", description="consumes", subscribe=subscribe, extra_topics=[])


def _handles_offer(span: ReadableSpan) -> bool:
    """The kit consumer's span of one OfferMade record."""
    attributes = span.attributes or {}
    return span.kind == SpanKind.CONSUMER and attributes.get("cloudevents.event_type") == OFFER_TYPE


def _service(span: ReadableSpan) -> str:
    return str(span.resource.attributes.get("service.name"))


async def test_one_trace_spans_the_request_the_outbox_kafka_and_the_consumer(infra: dict[str, str]) -> None:
    """A request carrying a gateway's traceparent is saved by A; B's consumer span is in that trace."""
    provider = new_ods_code("T")
    exporter = InMemorySpanExporter()
    saving = isolated_settings("tracea", tracing=True)
    consuming = isolated_settings("traceb", tracing=True)
    await skip_history(consuming.group, OfferMade.topic)
    app_a = create_service_app(_saving_service(), saving)
    app_b = create_service_app(_consuming_service(provider), consuming)
    for app in (app_a, app_b):
        runtime_of(app).tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace_id = secrets.token_hex(16)
    traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-01"

    async with running_app(app_b) as _, running_app(app_a) as client:
        response = await client.post(
            f"/api/tracea/things/{provider}",
            headers={**bearer(grant("Service Management", "A81001")), "traceparent": traceparent},
        )
        assert response.status_code == status.HTTP_201_CREATED, response.text
        offer_id = response.json()["offer_id"]
        seen = runtime_of(app_b).mongo.collection("seen")
        assert await eventually(lambda: seen.find_one({"offer": offer_id}), timeout=60)

        async def consumed() -> list[ReadableSpan]:
            return [
                s for s in exporter.get_finished_spans() if _service(s) == "cqrs-traceb" and _handles_offer(s)
            ]

        await eventually(consumed, timeout=30)

    in_trace = [s for s in exporter.get_finished_spans() if f"{s.context.trace_id:032x}" == trace_id]
    by_id = {s.context.span_id: s for s in in_trace}
    server = [s for s in in_trace if _service(s) == "cqrs-tracea" and s.kind == SpanKind.SERVER]
    published = [s for s in in_trace if _service(s) == "cqrs-tracea" and s.kind == SpanKind.PRODUCER]
    handled = [s for s in in_trace if _service(s) == "cqrs-traceb" and s.kind == SpanKind.CONSUMER]
    assert server, "A's request span continues the gateway's traceparent"
    assert published, "A's relay publishes inside the request's trace"
    assert any(_handles_offer(s) for s in handled), [s.name for s in in_trace]
    consumer_span = next(s for s in handled if _handles_offer(s))
    assert consumer_span.parent is not None
    assert _service(by_id[consumer_span.parent.span_id]) == "cqrs-tracea", "B's span hangs under A's publish"
