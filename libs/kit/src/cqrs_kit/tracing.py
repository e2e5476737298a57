"""OpenTelemetry traces across HTTP, the outbox and Kafka, off unless configured.

One trace follows a request: the FastAPI instrumentation continues the caller's ``traceparent``
(sent by the client or made by the gateway), a save stores the W3C trace context in each outbox
entry's headers, the relay publishes each entry inside the context it stored (so FastStream's
``KafkaTelemetryMiddleware`` makes its publish span a child of the request and puts the new
``traceparent`` on the Kafka record), and the consumer opens one span per record as a child of
that. Saves made by a handler carry the chain on to the next service.

Tracing is on when ``CQRS_TRACING=true`` or an OTLP endpoint is configured (``CQRS_OTLP_ENDPOINT``
or OpenTelemetry's own ``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``),
and ``OTEL_SDK_DISABLED`` is not true. Spans are exported by OTLP over HTTP when an endpoint is
set. When off, nothing is instrumented and the hooks below return at their first line.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider

    from cqrs_kit.runtime import Runtime
    from cqrs_kit.settings import ServiceSettings

T = TypeVar("T")
#: Paths whose requests make no span (probes and scrapes would drown the traces).
UNTRACED_PATHS = "healthz,readyz,/metrics"
_OTEL_ENDPOINTS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")

#: Whether any service in this process traces; the hooks return at once while it is False.
_active = False


def enabled(settings: ServiceSettings, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this service should trace, from its settings and OpenTelemetry's own variables."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return settings.tracing or bool(settings.otlp_endpoint) or any(environ.get(v) for v in _OTEL_ENDPOINTS)


def exporter_endpoint(settings: ServiceSettings, environ: Mapping[str, str] = os.environ) -> str | None:
    """Where spans go: CQRS_OTLP_ENDPOINT + ``/v1/traces``, "" for OpenTelemetry's own variables
    (the exporter reads them), or None when no exporter is configured."""
    if settings.otlp_endpoint:
        return f"{settings.otlp_endpoint.rstrip('/')}/v1/traces"
    return "" if any(environ.get(v) for v in _OTEL_ENDPOINTS) else None


def provider_for(
    settings: ServiceSettings, version: str, environ: Mapping[str, str] = os.environ
) -> TracerProvider | None:
    """The service's own TracerProvider (None when tracing is off), exporting by OTLP if configured."""
    if not enabled(settings, environ):
        return None
    from opentelemetry.sdk.resources import Resource  # noqa: PLC0415 - loaded only when tracing
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415

    name = environ.get("OTEL_SERVICE_NAME") or f"cqrs-{settings.service_name}"
    resource = Resource.create({"service.name": name, "service.version": version})
    provider = TracerProvider(resource=resource)
    if (endpoint := exporter_endpoint(settings, environ)) is not None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter,
        )

        # None lets the exporter read OTEL_EXPORTER_OTLP_* itself (headers, timeout, endpoint).
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint or None)))
    return provider


def install(api: FastAPI, runtime: Runtime, provider: TracerProvider | None) -> None:
    """Instrument one service's HTTP routes, broker and consumer with its provider (if any)."""
    global _active  # noqa: PLW0603 - one switch for the hooks, set once per traced process
    runtime.tracer_provider = provider
    if provider is None:
        return
    from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware  # noqa: PLC0415
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor  # noqa: PLC0415

    _active = True
    FastAPIInstrumentor.instrument_app(
        api, tracer_provider=provider, excluded_urls=UNTRACED_PATHS, exclude_spans=["receive", "send"]
    )
    runtime.broker.add_middleware(KafkaTelemetryMiddleware(tracer_provider=provider))
    runtime.consumer.tracer = provider.get_tracer("cqrs_kit.consumer")


def context_headers() -> dict[str, str]:
    """The current W3C trace context (``traceparent``, ``tracestate``) to store with an outbox
    entry, so its publish continues the trace of the save; empty when tracing is off."""
    if not _active:
        return {}
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


Send = Callable[[Mapping[str, Any]], Awaitable[T]]


def continuing(send: Send[T]) -> Send[T]:
    """Wrap the relay's send so each entry is published inside the trace context it was saved in."""

    @functools.wraps(send)
    async def send_in_context(entry: Mapping[str, Any]) -> T:
        headers = entry.get("headers") or {}
        if not _active or "traceparent" not in headers:
            return await send(entry)
        token = otel_context.attach(propagate.extract(headers))
        try:
            return await send(entry)
        finally:
            otel_context.detach(token)

    return send_in_context


def consuming(
    handle: Callable[[Any, Any], Awaitable[None]],
) -> Callable[[Any, Any], Awaitable[None]]:
    """Decorate ``Consumer.handle``: one span per record, a child of the context its headers carry
    (FastStream's middleware only links a batch to its records' traces)."""

    @functools.wraps(handle)
    async def traced(consumer: Any, record: Any) -> None:
        tracer: trace.Tracer | None = consumer.tracer
        if tracer is None:
            return await handle(consumer, record)
        headers = {k: (v or b"").decode(errors="replace") for k, v in record.headers or ()}
        kind = headers.get("ce_type", "unknown")
        with tracer.start_as_current_span(
            f"{record.topic} process {kind}",
            context=propagate.extract(headers),
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": record.topic,
                "messaging.kafka.destination.partition": record.partition,
                "messaging.kafka.message.offset": record.offset,
                "messaging.consumer.group.name": consumer.group,
                "messaging.message.id": headers.get("ce_id", ""),
                "cloudevents.event_type": kind,
            },
        ):
            return await handle(consumer, record)

    return traced


async def shutdown(provider: TracerProvider | None) -> None:
    """Flush and stop the exporter at the end of the lifespan."""
    if provider is not None:
        await asyncio.to_thread(provider.shutdown)
