"""The Kafka broker every service uses: idempotent producer with acks=all, topics made at start-up."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker

from cqrs_kit.logs import get_logger

log = get_logger(__name__)


def make_broker(bootstrap: str, *, client_id: str, description: str | None = None) -> KafkaBroker:
    """A FastStream Kafka broker whose producer is idempotent and waits for all in-sync replicas."""
    return KafkaBroker(
        bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        description=description,
        graceful_timeout=10.0,
        logger=logging.getLogger("faststream.kafka"),
        log_level=logging.DEBUG,
        request_timeout_ms=15_000,
    )


async def ensure_topics(bootstrap: str, topics: Iterable[str], *, partitions: int) -> list[str]:
    """Create the topics that do not exist yet with the configured partitions; return those created."""
    wanted = sorted(set(topics))
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in missing]
                )
            log.info("topics created", topics=missing, partitions=partitions)
        return missing
    finally:
        await admin.close()


def relay_publisher(broker: KafkaBroker) -> Any:
    """Enqueue one outbox entry with the idempotent producer; return its ack to be awaited later,
    so the relay can have many entries in flight (order within a partition is kept)."""

    async def send(entry: Mapping[str, Any]) -> Any:
        headers = {str(k): str(v) for k, v in entry["headers"].items()}
        return await broker.publish(
            entry["body"].encode(),
            topic=entry["topic"],
            key=str(entry["key"]).encode(),
            headers=headers,
            correlation_id=headers.get("ce_correlationid"),
            no_confirm=True,
        )

    return send


def publish_entry(broker: KafkaBroker) -> Any:
    """Publish one outbox entry and return only after the broker's ack (tests and tools)."""
    send = relay_publisher(broker)

    async def publish(entry: Mapping[str, Any]) -> None:
        await (await send(entry))

    return publish
