"""The walking skeleton through the nginx gateway: an offer made through participation's five steps,
then the task appears at GET /api/notifications/tasks, every hop on the real stack."""

import importlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cqrs_kit.runtime import Runtime
from cqrs_kit.testing import (
    ServiceProcess,
    bearer,
    eventually,
    grant,
    isolated_settings,
    new_ods_code,
    organisation,
    publish,
    skip_all_history,
)
from cqrs_local.config import Layout
from cqrs_local.probes import port_in_use
from cqrs_participation.demo_data import DEMO_OFFERS
from cqrs_participation.testing import offer_to, seed_offer_directory

HOST = "127.0.0.1"


@pytest.fixture
async def behind_gateway(infra: dict[str, str], tmp_path: Path) -> AsyncIterator[tuple[str, str, str]]:
    """Participation and notifications on the ports the gateway routes to, and the commissioner
    and provider an offer goes between. When `make run` already serves them there, those are used
    as they are (with its demo ICB and a demo practice); otherwise the test starts its own, with a
    seeded Directory."""
    ports = Layout.from_env().ports
    started: list[ServiceProcess] = []
    parties = ("QRV", DEMO_OFFERS[0][0])
    for name in ("participation", "notifications"):
        if not port_in_use(HOST, ports.service(name)):
            settings = isolated_settings(name)
            if name == "participation":
                parties = ("QWE", new_ods_code("G"))
                runtime = Runtime.build(settings, outbox_collections=[])
                await seed_offer_directory(runtime.directory, parties[1])
                await runtime.mongo.close()
            # only what this test publishes (the app is built, not started, to learn its topics)
            await skip_all_history(importlib.import_module(f"cqrs_{name}.app").create_app(settings))
            process = ServiceProcess(
                f"cqrs_{name}.app", settings, ports.service(name), tmp_path / f"{name}.log"
            )
            process.start()
            started.append(process)
    try:
        for process in started:
            await process.wait_ready()
        yield infra["CQRS_GATEWAY_URL"], *parties
    finally:
        for process in started:
            process.stop()


async def test_offer_to_task_through_the_gateway(behind_gateway: tuple[str, str, str]) -> None:
    url, commissioner, provider = behind_gateway
    headers = bearer(grant("Commissioning Management", commissioner))
    async with httpx.AsyncClient(base_url=url, timeout=30, headers=headers) as gateway:
        offer = await offer_to(gateway, "/api/participation", commissioner, provider)
        if commissioner == "QWE":  # the test's own processes: announce the new provider as identity would
            await publish(organisation(provider, "GP Practice"))
        manager = bearer(grant("Service Management", provider))

        async def tasks() -> list[dict[str, Any]]:
            response = await gateway.get(
                "/api/notifications/tasks", params={"organisation": provider}, headers=manager
            )
            assert response.status_code == 200, response.text
            found: list[dict[str, Any]] = response.json()["items"]
            return [t for t in found if t["subject_id"] == offer["offer_id"]]

        found = await eventually(tasks, timeout=60)
        assert [t["category"] for t in found] == ["offer-to-answer"]
