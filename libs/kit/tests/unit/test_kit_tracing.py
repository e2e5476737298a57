"""Tracing is off unless configured, and then exports spans by OTLP/HTTP to the configured endpoint."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware

from cqrs_kit import tracing
from cqrs_kit.app import ServiceSpec, create_service_app, runtime_of
from cqrs_kit.outbox import outbox_entries
from cqrs_kit.settings import ServiceSettings
from cqrs_kit.testing import offer_made

Collector = tuple[str, list[tuple[str, bytes]]]


def _settings(**values: object) -> ServiceSettings:
    return ServiceSettings(service_name="probe", **values)  # type: ignore[arg-type]


def test_off_by_default_and_on_when_configured() -> None:
    """No setting and no OTEL_ variable: off. Either switch: on. OTEL_SDK_DISABLED wins."""
    assert not tracing.enabled(_settings(), {})
    assert tracing.enabled(_settings(tracing=True), {})
    assert tracing.enabled(_settings(otlp_endpoint="http://collector:4318"), {})
    assert tracing.enabled(_settings(), {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert tracing.enabled(_settings(), {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"})
    assert not tracing.enabled(_settings(tracing=True), {"OTEL_SDK_DISABLED": "true"})
    assert tracing.exporter_endpoint(_settings(tracing=True), {}) is None  # spans made, none exported


def test_an_untraced_service_is_not_instrumented(monkeypatch: pytest.MonkeyPatch) -> None:
    """Off: no provider, no Kafka telemetry middleware, no HTTP instrumentation, no trace headers."""
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "CQRS_TRACING"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(tracing, "_active", False)  # as in a process where no service traces
    app = create_service_app(ServiceSpec(name="probe", description="probe"), _settings())
    runtime = runtime_of(app)
    assert runtime.tracer_provider is None
    assert runtime.consumer.tracer is None
    assert not any(isinstance(m, KafkaTelemetryMiddleware) for m in runtime.broker.middlewares)
    assert not getattr(app._application, "_is_instrumented_by_opentelemetry", False)
    [entry] = outbox_entries([offer_made()], source="/test")
    assert "traceparent" not in entry["headers"]


def test_a_traced_service_is_instrumented() -> None:
    """On: the app, the broker and the consumer all get the service's provider."""
    app = create_service_app(ServiceSpec(name="probe", description="probe"), _settings(tracing=True))
    runtime = runtime_of(app)
    assert runtime.tracer_provider is not None
    assert runtime.consumer.tracer is not None
    assert any(isinstance(m, KafkaTelemetryMiddleware) for m in runtime.broker.middlewares)
    assert app._application._is_instrumented_by_opentelemetry
    with runtime.tracer_provider.get_tracer("test").start_as_current_span("save"):
        [entry] = outbox_entries([offer_made()], source="/test")
    assert entry["headers"]["traceparent"].startswith("00-")


@pytest.fixture
def collector() -> Iterator[Collector]:
    """A stand-in OTLP/HTTP receiver on loopback recording each request's path and body."""
    received: list[tuple[str, bytes]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            received.append((self.path, self.rfile.read(length)))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", received
    finally:
        server.shutdown()


def test_spans_are_exported_to_the_configured_endpoint(collector: Collector) -> None:
    """CQRS_OTLP_ENDPOINT: spans are POSTed to <endpoint>/v1/traces with the service's name."""
    url, received = collector
    provider = tracing.provider_for(_settings(otlp_endpoint=url), "1.2.3", {})
    assert provider is not None
    with provider.get_tracer("test").start_as_current_span("exported-span"):
        pass
    assert provider.force_flush(10_000)
    provider.shutdown()
    assert [path for path, _ in received] == ["/v1/traces"]
    assert b"exported-span" in received[0][1]
    assert b"cqrs-probe" in received[0][1]
