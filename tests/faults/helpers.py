"""Shared steps of the fault tests."""

from typing import Any

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from cqrs_kit.testing import (
    ServiceProcess,
    bearer,
    grant,
    new_ods_code,
    offer_request,
    organisation,
    publish,
)

COMMISSIONER = bearer(grant("Commissioning Management", "QWE"))
"""A token of a commissioner at QWE, the offers' commissioner."""


def offer_body(provider: str) -> dict[str, Any]:
    """A valid offer to one provider."""
    return offer_request(provider, "QS-FAULT")


def new_provider() -> str:
    """An ODS-shaped code no other test uses."""
    return new_ods_code("F")


async def make_offer(participation: ServiceProcess, provider: str) -> dict[str, Any]:
    """POST an offer and return it (fails the test on anything but 201)."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            f"{participation.url}/offers", json=offer_body(provider), headers=COMMISSIONER
        )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


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
