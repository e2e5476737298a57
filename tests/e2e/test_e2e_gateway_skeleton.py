"""The walking skeleton through the nginx gateway: POST /api/participation/offers, then the task
appears at GET /api/notifications/tasks, every hop on the real stack."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cqrs_contracts.events import OfferMade
from cqrs_kit.testing import (
    ServiceProcess,
    bearer,
    eventually,
    grant,
    isolated_settings,
    new_ods_code,
    offer_request,
    organisation,
    publish,
    skip_history,
)
from cqrs_local.config import Layout
from cqrs_local.probes import port_in_use

HOST = "127.0.0.1"


@pytest.fixture
async def behind_gateway(infra: dict[str, str], tmp_path: Path) -> AsyncIterator[str]:
    """Participation and notifications on the ports the gateway routes to. When `make run` already
    serves them there, those are used as they are; otherwise the test starts its own."""
    ports = Layout.from_env().ports
    started: list[ServiceProcess] = []
    for name in ("participation", "notifications"):
        if not port_in_use(HOST, ports.service(name)):
            settings = isolated_settings(name)
            await skip_history(settings.group, OfferMade.topic)
            process = ServiceProcess(
                f"cqrs_{name}.app", settings, ports.service(name), tmp_path / f"{name}.log"
            )
            process.start()
            started.append(process)
    try:
        for process in started:
            await process.wait_ready()
        yield infra["CQRS_GATEWAY_URL"]
    finally:
        for process in started:
            process.stop()


async def test_offer_to_task_through_the_gateway(behind_gateway: str) -> None:
    provider = new_ods_code("G")
    body = offer_request(provider, "QS-GATEWAY")
    commissioner = bearer(grant("Commissioning Management", "QWE"))
    async with httpx.AsyncClient(base_url=behind_gateway, timeout=10, headers=commissioner) as gateway:
        made = await gateway.post("/api/participation/offers", json=body)
        assert made.status_code == 201, made.text

        await publish(organisation(provider, "GP Practice"))  # identity would have announced it
        manager = bearer(grant("Service Management", provider))

        async def tasks() -> list[dict[str, Any]]:
            response = await gateway.get(
                "/api/notifications/tasks", params={"organisation": provider}, headers=manager
            )
            assert response.status_code == 200, response.text
            found: list[dict[str, Any]] = response.json()["items"]
            return found

        found = await eventually(tasks, timeout=60)
        assert [t["subject_id"] for t in found] == [made.json()["offer_id"]]
        assert made.headers["X-Correlation-Id"]
