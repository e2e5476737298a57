"""Shared steps of the fault tests."""

from typing import Any

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from cqrs_kit.runtime import Runtime
from cqrs_kit.testing import (
    ServiceProcess,
    bearer,
    grant,
    new_ods_code,
    organisation,
    publish,
)
from cqrs_participation.testing import offer_to, seed_offer_directory

COMMISSIONER = bearer(grant("Commissioning Management", "QWE"))
"""A token of a commissioner at QWE, the offers' commissioner."""


def new_provider() -> str:
    """An ODS-shaped code no other test uses."""
    return new_ods_code("F")


async def make_offer(participation: ServiceProcess, provider: str) -> dict[str, Any]:
    """Offer a fresh service of QWE to the provider through the five steps; the offer."""
    runtime = Runtime.build(participation.settings, outbox_collections=[])
    try:
        await seed_offer_directory(runtime.directory, provider)
    finally:
        await runtime.mongo.close()
    async with httpx.AsyncClient(timeout=30, headers=COMMISSIONER) as client:
        return await offer_to(client, participation.url, "QWE", provider)


_ANNOUNCED: set[str] = set()


async def tasks_of(notifications: ServiceProcess, provider: str) -> list[dict[str, Any]]:
    """The provider's Message Centre tasks, as its Service Management user sees them (the service's
    Directory learns the provider from identity's topic, as it would from identity)."""
    if provider not in _ANNOUNCED:
        await publish(organisation(provider, "GP Practice"))
        _ANNOUNCED.add(provider)
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(
            f"{notifications.url}/tasks",
            params={"organisation": provider},
            headers=bearer(grant("Service Management", provider)),
        )
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()["items"]
    return body


async def committed_offset(bootstrap: str, group: str, topic: str, partition: int) -> int:
    """The group's committed offset on one partition (-1 when nothing is committed)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    meta = offsets.get(TopicPartition(topic, partition))
    return int(meta.offset) if meta is not None else -1
