"""Prometheus metrics of one service process, served at ``/metrics`` on the service's own port.

``/metrics`` sits outside ``/api/<service>/``, so the gateway (which routes only ``/api/<service>/``)
never serves it; Prometheus scrapes each pod directly. Each app has its own registry (tests build
several apps in one process).

- HTTP: prometheus-fastapi-instrumentator (``http_requests_total``, ``http_request_duration_seconds``).
- Kafka: FastStream's ``KafkaPrometheusMiddleware`` (``faststream_*``: messages, sizes, processing
  time and publishing per topic), plus ``cqrs_events_consumed_total`` / ``cqrs_events_published_total``
  and ``cqrs_event_handler_seconds`` per CloudEvents type, from a small broker middleware reading the
  ``ce_type`` header (FastStream's labels stop at the topic).
- Refreshed every few seconds from the stores: ``cqrs_consumer_lag`` per partition,
  ``cqrs_outbox_backlog`` and ``cqrs_outbox_oldest_unpublished_seconds`` per aggregate collection,
  ``cqrs_dead_lettered_total``, and any ``count_by`` gauge a service declares (scan verdicts,
  email statuses).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from faststream._internal.middlewares import BaseMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_fastapi_instrumentator import Instrumentator

from cqrs_kit.logs import get_logger
from cqrs_kit.outbox import pending_of
from cqrs_kit.runtime import Runtime

log = get_logger(__name__)
METRICS_KEY = "metrics"
#: Seconds between refreshes of the store-derived gauges.
REFRESH_SECONDS = 5.0


@dataclass
class ServiceMetrics:
    """The metrics of one service process and the registry they live in."""

    service: str
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    counts: list[tuple[Gauge, str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        r = self.registry
        self.info = Info("cqrs_service", "The service and its version.", registry=r)
        self.consumed = Counter(
            "cqrs_events_consumed", "Events received by this service's consumers.", ["type"], registry=r
        )
        self.published = Counter(
            "cqrs_events_published", "Events this service published.", ["type"], registry=r
        )
        self.handling = Histogram(
            "cqrs_event_handler_seconds",
            "Time to handle one event, retries included (for scanning's AttachmentUploaded: the scan).",
            ["type"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=r,
        )
        self.lag = Gauge(
            "cqrs_consumer_lag",
            "Messages not yet committed by the group.",
            ["group", "topic", "partition"],
            registry=r,
        )
        self.backlog = Gauge(
            "cqrs_outbox_backlog", "Saves (commit records) not yet published.", ["collection"], registry=r
        )
        self.oldest = Gauge(
            "cqrs_outbox_oldest_unpublished_seconds",
            "Age of the oldest event not yet published (0 when none).",
            ["collection"],
            registry=r,
        )
        self.dead_lettered = Gauge(
            "cqrs_dead_lettered",
            "Messages this process sent to its dead-letter topic since start.",
            registry=r,
        )

    def count_by(self, name: str, documentation: str, collection: str, field_name: str) -> None:
        """Declare a gauge of documents in a collection by the value of one field (e.g. verdict)."""
        gauge = Gauge(name, documentation, [field_name], registry=self.registry)
        self.counts.append((gauge, collection, field_name))


def metrics_of(runtime: Runtime) -> ServiceMetrics:
    """The metrics of a service's runtime (made on first use)."""
    found = runtime.extras.get(METRICS_KEY)
    if not isinstance(found, ServiceMetrics):
        found = ServiceMetrics(runtime.settings.service_name)
        runtime.extras[METRICS_KEY] = found
    return found


class _EventTypes:
    """A FastStream middleware factory counting published events per CloudEvents type."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self.metrics = metrics

    def __call__(self, msg: Any, /, *, context: Any) -> BaseMiddleware[Any, Any]:
        metrics = self.metrics

        class Middleware(BaseMiddleware[Any, Any]):
            async def publish_scope(self, call_next: Callable[[Any], Awaitable[Any]], cmd: Any) -> Any:
                result = await call_next(cmd)
                kind = _header(getattr(cmd, "headers", None), "ce_type")
                if kind != "unknown":
                    metrics.published.labels(kind).inc()
                return result

        return Middleware(msg, context=context)


def _header(headers: Any, name: str) -> str:
    if not headers:
        return "unknown"
    value = dict(headers).get(name) if not isinstance(headers, dict) else headers.get(name)
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    return str(value) if value else "unknown"


def install(api: Any, runtime: Runtime, version: str) -> ServiceMetrics:
    """Instrument HTTP and the broker and serve /metrics; call once while building the app."""
    metrics = metrics_of(runtime)
    metrics.info.info({"service": runtime.settings.service_name, "version": version})
    Instrumentator(
        registry=metrics.registry,
        excluded_handlers=["/metrics", r".*/healthz$", r".*/readyz$"],
    ).instrument(api).expose(api, endpoint="/metrics", include_in_schema=False)
    runtime.broker.add_middleware(
        KafkaPrometheusMiddleware(registry=metrics.registry, app_name=runtime.settings.service_name)
    )
    runtime.broker.add_middleware(_EventTypes(metrics))

    def observe(kind: str, seconds: float) -> None:
        metrics.consumed.labels(kind).inc()
        metrics.handling.labels(kind).observe(seconds)

    # Per record, not per FastStream message: the kit's consumer takes Kafka records in batches.
    runtime.consumer.observers.append(observe)
    return metrics


async def refresh(runtime: Runtime, outbox_collections: list[str]) -> None:
    """Update the gauges that come from the stores and Kafka once."""
    metrics = metrics_of(runtime)
    metrics.dead_lettered.set(runtime.consumer.dead_lettered)
    now = dt.datetime.now(dt.UTC)
    for name in outbox_collections:
        pending = runtime.mongo.collection(pending_of(name))
        metrics.backlog.labels(name).set(await pending.count_documents({}))
        oldest = 0.0
        first = await pending.find({}).sort("created_at", 1).limit(1).to_list()
        created = first[0].get("created_at") if first else None
        if isinstance(created, dt.datetime):
            created = created if created.tzinfo else created.replace(tzinfo=dt.UTC)
            oldest = (now - created).total_seconds()
        metrics.oldest.labels(name).set(oldest)
    for gauge, collection_name, field_name in metrics.counts:
        pipeline = [{"$group": {"_id": f"${field_name}", "n": {"$sum": 1}}}]
        async for row in await runtime.mongo.collection(collection_name).aggregate(pipeline):
            gauge.labels(str(row["_id"])).set(row["n"])
    await _refresh_lag(runtime, metrics)


async def _refresh_lag(runtime: Runtime, metrics: ServiceMetrics) -> None:
    bootstrap, group = runtime.settings.kafka_bootstrap, runtime.settings.group
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        committed = {tp: meta.offset for tp, meta in (await admin.list_consumer_group_offsets(group)).items()}
    finally:
        await admin.close()
    committed = {tp: offset for tp, offset in committed.items() if offset >= 0}
    if not committed:
        return
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(list(committed))
    finally:
        await consumer.stop()
    for tp, offset in committed.items():
        metrics.lag.labels(group, tp.topic, str(tp.partition)).set(max(ends[tp] - offset, 0))


class Refresher:
    """Runs ``refresh`` every few seconds in the background while the service runs."""

    def __init__(
        self, runtime: Runtime, outbox_collections: list[str], every: float = REFRESH_SECONDS
    ) -> None:
        self._runtime, self._collections, self._every = runtime, outbox_collections, every
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start refreshing."""
        self._task = asyncio.create_task(self._run(), name="metrics-refresh")

    async def stop(self) -> None:
        """Stop refreshing."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await refresh(self._runtime, self._collections)
            except Exception as exc:  # metrics never take a service down
                log.warning("metrics refresh failed", error=repr(exc))
            await asyncio.sleep(self._every)
