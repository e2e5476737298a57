"""The Kafka broker stops for about ten seconds while offers keep coming; when it returns every
offer's event arrives and every task exists, none twice."""

import asyncio
import time

from cqrs_kit.testing import ServiceProcess, eventually
from cqrs_local import procs
from cqrs_local.config import Layout
from cqrs_local.parts import infrastructure
from tests.faults.helpers import make_offer, new_provider, tasks_of


async def test_offers_made_during_a_kafka_outage_all_arrive_once(
    participation: ServiceProcess, notifications: ServiceProcess, infra: dict[str, str]
) -> None:
    participation.start()
    await participation.wait_ready()
    layout = Layout.from_env()
    kafka = next(p for p in infrastructure(layout) if p.name == "kafka")
    providers = [new_provider() for _ in range(3)]
    offers: list[tuple[str, str]] = []

    before = await make_offer(participation, providers[0])
    offers.append((providers[0], before["offer_id"]))
    assert procs.stop(layout, "kafka"), "the launcher's Kafka was not running"
    try:
        stopped_at = time.monotonic()
        # At least 10 s of outage and at least 15 offers made during it (an offer is now five HTTP
        # steps, so 10 s alone no longer makes 15); saving needs only the database.
        while time.monotonic() - stopped_at < 10 or (len(offers) < 15 and time.monotonic() - stopped_at < 60):
            provider = providers[len(offers) % len(providers)]
            offer = await make_offer(participation, provider)
            offers.append((provider, offer["offer_id"]))
            await asyncio.sleep(0.5)
    finally:
        procs.spawn(layout, kafka)
        await procs.wait_ready(layout, kafka)

    expected: dict[str, set[str]] = {}
    for provider, offer_id in offers:
        expected.setdefault(provider, set()).add(offer_id)
    assert len(offers) >= 15

    async def all_arrived() -> bool:
        for provider, offer_ids in expected.items():
            found = {t["subject_id"] for t in await tasks_of(notifications, provider)}
            if found != offer_ids:
                return False
        return True

    await eventually(all_arrived, timeout=120, interval=1)
    await asyncio.sleep(3)  # late duplicates, if any, would show up now
    for provider, offer_ids in expected.items():
        tasks = await tasks_of(notifications, provider)
        assert sorted(t["subject_id"] for t in tasks) == sorted(offer_ids)
