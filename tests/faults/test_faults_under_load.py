"""Faults under load, counted where a user or another service would see them: records on the topic
by event id, tasks in the Message Centre. Participation and notifications run as real processes."""

import asyncio
import signal
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from cqrs_contracts.events import OfferMade
from cqrs_kit.mongo import Mongo
from cqrs_kit.testing import ServiceProcess, eventually, free_port, read_topic
from cqrs_kit.testing_auth import bearer, grant
from cqrs_local import procs
from cqrs_local.config import Layout
from cqrs_local.parts import infrastructure
from cqrs_participation.testing import offer_to
from tests.faults.helpers import COMMISSIONER, introduce_provider, new_provider, tasks_of


class Offers:
    """Offers made by concurrent clients; what was acknowledged and what was refused."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.acknowledged: list[str] = []
        self.refused = 0
        self.stop = asyncio.Event()

    async def run(self, participation: ServiceProcess, clients: int = 6) -> None:
        await introduce_provider(participation, self.provider)
        async with httpx.AsyncClient(timeout=30, headers=COMMISSIONER) as client:

            async def one_client() -> None:
                # Each offer is a fresh service through the five steps; a step refused or
                # unanswered during a fault counts as refused (its offer may still exist).
                while not self.stop.is_set():
                    try:
                        offer = await offer_to(client, participation.url, "QWE", self.provider)
                    except (httpx.HTTPError, AssertionError):
                        self.refused += 1
                        await asyncio.sleep(0.2)
                        continue
                    self.acknowledged.append(offer["offer_id"])

            await asyncio.gather(*(one_client() for _ in range(clients)))

    @asynccontextmanager
    async def running(self, participation: ServiceProcess) -> AsyncIterator[None]:
        task = asyncio.create_task(self.run(participation))
        try:
            yield
        finally:
            self.stop.set()
            await task


async def until(check: Callable[[], bool], timeout: float = 120) -> None:
    async def probe() -> bool:
        return check()

    await eventually(probe, timeout=timeout)


async def saved_event_ids(participation: ServiceProcess) -> dict[str, str]:
    """Every event participation committed, by event id -> offer id (from its commit records)."""
    settings = participation.settings
    mongo = Mongo(settings.mongo_url, settings.database_name)
    try:
        records = await mongo.collection("offers_events").find({}).to_list()
    finally:
        await mongo.close()
    return {e["id"]: r["aggregate_id"] for r in records for e in r["entries"]}


async def on_the_topic(event_ids: set[str]) -> Counter[str]:
    """How often each of these events is on the topic (waits until each is there at least once)."""
    found = await read_topic(
        OfferMade.topic,
        timeout=180,
        until=lambda rs: {_event_id(r.headers) for r in rs} >= event_ids,
    )
    return Counter(i for r in found if (i := _event_id(r.headers)) in event_ids)


def _event_id(headers: Any) -> str:
    """The record's ce_id (other tests leave malformed records without one on the shared topic)."""
    return (dict(headers).get("ce_id") or b"").decode()


async def all_tasks(notifications: ServiceProcess, provider: str) -> list[dict[str, Any]]:
    """Every task of the provider, page by page (a page holds at most 100)."""
    await tasks_of(notifications, provider)  # makes the service's Directory know the provider
    found: list[dict[str, Any]] = []
    async with httpx.AsyncClient(timeout=10, headers=bearer(grant("Service Management", provider))) as client:
        for page in range(1, 100):
            answer = await client.get(
                f"{notifications.url}/tasks", params={"organisation": provider, "page": page, "limit": 100}
            )
            assert answer.status_code == 200, answer.text
            items: list[dict[str, Any]] = answer.json()["items"]
            found += items
            if len(items) < 100:
                break
    return found


async def every_offer_has_one_task(notifications: ServiceProcess, offers: Offers, expected: set[str]) -> None:
    async def complete() -> bool:
        return {t["subject_id"] for t in await all_tasks(notifications, offers.provider)} >= expected

    await eventually(complete, timeout=180, interval=1)
    await asyncio.sleep(3)  # late duplicates would land now
    subjects = Counter(t["subject_id"] for t in await all_tasks(notifications, offers.provider))
    assert {s for s, n in subjects.items() if n > 1} == set()


def part(name: str) -> tuple[Layout, object]:
    layout = Layout.from_env()
    return layout, next(p for p in infrastructure(layout) if p.name == name)


async def restart(
    name: str, sig: signal.Signals, down_for: float, during: Callable[[], Awaitable[None]]
) -> None:
    layout, found = part(name)
    assert procs.stop(layout, name, sig=sig), f"the launcher's {name} was not running"
    try:
        await during()
        await asyncio.sleep(down_for)
    finally:
        procs.spawn(layout, found)  # type: ignore[arg-type]
        await procs.wait_ready(layout, found)  # type: ignore[arg-type]


async def test_killed_while_its_relay_publishes_every_saved_event_reaches_the_topic(
    participation: ServiceProcess, notifications: ServiceProcess
) -> None:
    offers = Offers(new_provider())
    participation.start()
    await participation.wait_ready()
    async with offers.running(participation):
        await until(lambda: len(offers.acknowledged) >= 60)
        participation.kill()  # SIGKILL while saves arrive and the relay is publishing
        participation.start()
        await participation.wait_ready()
        await until(lambda: len(offers.acknowledged) >= 100)
    saved = await saved_event_ids(participation)
    assert set(offers.acknowledged) <= set(saved.values())
    counts = await on_the_topic(set(saved))
    assert set(counts) == set(saved)
    print("FIGURES relay-kill", {"saved": len(saved), "on topic": sum(counts.values())})
    await every_offer_has_one_task(notifications, offers, set(offers.acknowledged))


async def test_kafka_killed_longer_than_the_request_timeout(
    participation: ServiceProcess, notifications: ServiceProcess
) -> None:
    offers = Offers(new_provider())
    participation.start()
    await participation.wait_ready()
    async with offers.running(participation):
        await until(lambda: len(offers.acknowledged) >= 10)
        before = len(offers.acknowledged)
        await restart("kafka", signal.SIGKILL, 20, lambda: asyncio.sleep(0))  # > request_timeout_ms 15 s
        assert len(offers.acknowledged) > before  # saving needs only the database
        await asyncio.sleep(2)
    saved = await saved_event_ids(participation)
    counts = await on_the_topic(set(saved))
    assert set(counts) == set(saved)
    await every_offer_has_one_task(notifications, offers, set(offers.acknowledged))


async def test_ferretdb_stopped_for_ten_seconds_under_load(
    participation: ServiceProcess, notifications: ServiceProcess
) -> None:
    offers = Offers(new_provider())
    participation.start()
    await participation.wait_ready()

    async def says_why() -> None:
        async def unready() -> str | None:
            async with httpx.AsyncClient(timeout=20) as client:
                answer = await client.get(f"{participation.url}/readyz")
            return answer.json()["checks"]["database"] if answer.status_code == 503 else None

        reason = await eventually(unready, timeout=30)
        assert reason.startswith("database unreachable")

    async with offers.running(participation):
        await until(lambda: len(offers.acknowledged) >= 10)
        await restart("ferretdb", signal.SIGTERM, 10, says_why)
        refused = offers.refused
        await until(lambda: len(offers.acknowledged) >= 40)
    assert refused > 0  # the outage was real to the clients
    saved = await saved_event_ids(participation)
    assert set(offers.acknowledged) <= set(saved.values())
    counts = await on_the_topic(set(saved))
    assert set(counts) == set(saved)
    await every_offer_has_one_task(notifications, offers, set(offers.acknowledged))


async def test_a_consumer_joining_mid_stream_applies_nothing_twice(
    participation: ServiceProcess, notifications: ServiceProcess, logs_dir: Path
) -> None:
    offers = Offers(new_provider())
    participation.start()
    await participation.wait_ready()
    second = ServiceProcess(
        "cqrs_notifications.app", notifications.settings, free_port(), logs_dir / "notifications-2.log"
    )
    try:
        async with offers.running(participation):
            await until(lambda: len(offers.acknowledged) >= 30)
            second.start()  # same group: the partitions are shared out again mid-stream
            await second.wait_ready()
            await until(lambda: len(offers.acknowledged) >= 90)
        await every_offer_has_one_task(notifications, offers, set(offers.acknowledged))
    finally:
        second.stop()
