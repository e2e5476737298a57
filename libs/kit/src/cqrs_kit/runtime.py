"""The live resources of one service process, built without touching the network."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from faststream.kafka import KafkaBroker

from cqrs_kit import tracing
from cqrs_kit.broker import make_broker, relay_publisher
from cqrs_kit.consumer import Consumer
from cqrs_kit.directory import Directory
from cqrs_kit.mongo import Mongo
from cqrs_kit.outbox import OutboxRelay, commits_of
from cqrs_kit.s3 import S3
from cqrs_kit.settings import ServiceSettings


@dataclass
class Runtime:
    """Settings, stores, broker, relay, consumer and Directory of one service; connections open in the
    lifespan."""

    settings: ServiceSettings
    mongo: Mongo
    broker: KafkaBroker
    consumer: Consumer
    relay: OutboxRelay
    directory: Directory
    s3: S3 | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    tracer_provider: Any = None  # an OpenTelemetry TracerProvider when tracing is on (cqrs_kit.tracing)

    @classmethod
    def build(
        cls, settings: ServiceSettings, *, outbox_collections: list[str], uses_s3: bool = False
    ) -> Runtime:
        """Wire the objects; PyMongo and FastStream connect lazily, so nothing is opened here."""
        mongo = Mongo(settings.mongo_url, settings.database_name, timeout_ms=settings.mongo_timeout_ms)
        broker = make_broker(
            settings.kafka_bootstrap,
            client_id=f"cqrs-{settings.service_name}",
            description=f"CQRS {settings.service_name} service",
        )
        relay = OutboxRelay(
            [mongo.collection(commits_of(c)) for c in outbox_collections],
            tracing.continuing(relay_publisher(broker)),
            poll_seconds=settings.relay_poll_seconds,
            max_backoff=settings.consumer_max_backoff_seconds,
            batch_size=settings.relay_batch_size,
        )
        consumer = Consumer(
            broker,
            group=settings.group,
            max_backoff=settings.consumer_max_backoff_seconds,
            max_unexpected_attempts=settings.consumer_max_unexpected_attempts,
            conflict_retries=settings.consumer_conflict_retries,
            handler_timeout=settings.consumer_handler_timeout_seconds,
            batch_size=settings.consumer_batch_size,
            concurrency=settings.consumer_concurrency,
        )
        s3 = S3(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key) if uses_s3 else None
        directory = Directory(mongo, cache_seconds=settings.directory_cache_seconds)
        return cls(
            settings=settings,
            mongo=mongo,
            broker=broker,
            consumer=consumer,
            relay=relay,
            directory=directory,
            s3=s3,
        )

    @property
    def source(self) -> str:
        """CloudEvents `source` of everything this service publishes."""
        return f"/cqrs/{self.settings.service_name}"


def get_runtime(request: Request) -> Runtime:
    """FastAPI dependency: the service's runtime."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
