"""Two replicas of one service as real OS processes, relays and consumers on, racing on the same
aggregates: every acknowledged save is in the final state, every saved event reaches Kafka (first
occurrences in order per aggregate), conflicts are 409s over HTTP and retries in consumers, and a
SIGKILLed replica loses nothing and makes nothing happen twice."""

import asyncio
import json
import random
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from cqrs_contracts.events import OfferMade
from cqrs_kit.mongo import Mongo
from cqrs_kit.settings import ServiceSettings
from cqrs_kit.testing import (
    ServiceProcess,
    eventually,
    free_port,
    isolated_settings,
    read_topic,
    skip_history,
)
from cqrs_kit.testing_auth import bearer, grant

MODULE = "cqrs_kit.testing_service"
TOKEN = bearer(grant("Service Management", "A81001"))


async def replicas(settings: ServiceSettings, logs: Path, count: int = 2) -> list[ServiceProcess]:
    await skip_history(settings.group, OfferMade.topic)
    started = [ServiceProcess(MODULE, settings, free_port(), logs / f"tally-{i}.log") for i in range(count)]
    for process in started:
        process.start()
    for process in started:
        await process.wait_ready()
    return started


class Load:
    """Concurrent increments against the replicas, remembering what each answer said."""

    def __init__(self, tallies: list[str]) -> None:
        self.tallies = tallies
        self.attempted = 0
        self.acknowledged: Counter[str] = Counter()
        self.conflicts = 0
        self.unanswered = 0

    async def run(self, targets: list[ServiceProcess], attempts: int, concurrency: int = 12) -> None:
        remaining = iter(range(attempts))
        async with httpx.AsyncClient(timeout=30, headers=TOKEN) as client:

            async def worker() -> None:
                for _ in remaining:
                    live = [p for p in targets if p.process is not None and p.process.poll() is None]
                    tally = random.choice(self.tallies)
                    self.attempted += 1
                    try:
                        answer = await client.post(f"{random.choice(live).url}/tallies/{tally}/increments")
                    except httpx.HTTPError:
                        self.unanswered += 1  # killed mid-request: the save may or may not be in
                        continue
                    if answer.status_code == 201:
                        self.acknowledged[tally] += 1
                    else:
                        assert answer.status_code == 409, answer.text
                        assert answer.headers["content-type"] == "application/problem+json"
                        self.conflicts += 1

            await asyncio.gather(*(worker() for _ in range(concurrency)))


async def check(
    settings: ServiceSettings, reader: ServiceProcess, load: Load, *, killed: bool
) -> dict[str, Any]:
    """Everything a user or another service would notice; returns the figures for the note."""
    mongo = Mongo(settings.mongo_url, settings.database_name)
    try:
        found: dict[str, int] = {}
        async with httpx.AsyncClient(timeout=10, headers=TOKEN) as client:
            for tally in load.tallies:
                answer = await client.get(f"{reader.url}/tallies/{tally}")
                found[tally] = answer.json()["count"] if answer.status_code == 200 else 0
        for tally in load.tallies:
            if killed:  # a request cut off by the kill may have been saved without an answer
                assert load.acknowledged[tally] <= found[tally] <= load.acknowledged[tally] + load.unanswered
            else:
                assert found[tally] == load.acknowledged[tally]
        records = (
            await mongo.collection("tallies_events").find({"aggregate_id": {"$in": load.tallies}}).to_list()
        )
        saved = {e["id"]: (r["aggregate_id"], r["version"]) for r in records for e in r["entries"]}
        assert len(records) == sum(found.values())  # one record per save, none half-written

        keys = {t.encode() for t in load.tallies}
        wire = await read_topic(
            OfferMade.topic,
            timeout=120,
            until=lambda rs: {dict(r.headers)["ce_id"].decode() for r in rs if r.key in keys} >= set(saved),
        )
        ours = [r for r in wire if r.key in keys]
        ids = [dict(r.headers)["ce_id"].decode() for r in ours]
        assert set(ids) == set(saved)  # every saved event on Kafka, nothing else
        firsts: dict[str, list[int]] = {}
        for event_id in dict.fromkeys(ids):
            tally, version = saved[event_id]
            firsts.setdefault(tally, []).append(version)
        for tally, versions in firsts.items():
            assert versions == sorted(versions), f"{tally}: first occurrences out of order {versions}"
        for record in ours:
            assert json.loads(record.value)["payment_type"] == str(
                saved[dict(record.headers)["ce_id"].decode()][1]
            )

        async def ledger_complete() -> bool:
            async with httpx.AsyncClient(timeout=10, headers=TOKEN) as client:
                answer = await client.get(f"{reader.url}/ledger")
            applied: int = answer.json()["applied"]
            return applied == len(saved)

        await eventually(ledger_complete, timeout=120, interval=1)
        await asyncio.sleep(3)  # late redeliveries, if any, would land now
        applications = await mongo.collection("ledgers_events").find({}, {"cause": 1}).to_list()
        causes = Counter(a["cause"] for a in applications)
        twice = sum(1 for n in causes.values() if n > 1)
        assert twice == 0
        assert len(causes) == len(saved)
        figures = {
            "saves attempted": load.attempted,
            "acknowledged": sum(load.acknowledged.values()),
            "409 conflicts": load.conflicts,
            "unanswered (killed)": load.unanswered,
            "found": sum(found.values()),
            "events published": len(set(ids)),
            "records on the wire": len(ids),
            "duplicates on the wire": len(ids) - len(set(ids)),
            "effects applied": len(applications),
            "effects applied twice": twice,
        }
        print("FIGURES", json.dumps(figures))
        return figures
    finally:
        await mongo.client.drop_database(settings.database_name)
        await mongo.close()


def consumer_retries(processes: list[ServiceProcess]) -> int:
    return sum(p.log.read_text().count("retrying after a conflict") for p in processes)


@pytest.fixture
def settings(infra: dict[str, str]) -> ServiceSettings:
    return isolated_settings("tally", consumer_conflict_retries=200, log_level="INFO")


async def test_replicas_racing_on_the_same_aggregates_lose_nothing(
    settings: ServiceSettings, tmp_path: Path
) -> None:
    processes = await replicas(settings, tmp_path)
    try:
        load = Load([str(uuid.uuid4()) for _ in range(4)])
        await load.run(processes, attempts=300)
        figures = await check(settings, processes[0], load, killed=False)
        assert load.conflicts > 0  # they did race
        figures["consumer conflict retries"] = consumer_retries(processes)
        print("FIGURES", json.dumps(figures))
    finally:
        for process in processes:
            process.stop()


async def test_a_replica_killed_under_load_loses_nothing_and_repeats_nothing(
    settings: ServiceSettings, tmp_path: Path
) -> None:
    processes = await replicas(settings, tmp_path)
    try:
        load = Load([str(uuid.uuid4()) for _ in range(6)])
        running = asyncio.create_task(load.run(processes, attempts=400))
        await eventually(lambda: asyncio.sleep(0, load.attempted > 150), timeout=120)
        processes[1].kill()  # SIGKILL mid-load: its relay and consumer stop where they are
        await running
        figures = await check(settings, processes[0], load, killed=True)
        figures["consumer conflict retries"] = consumer_retries(processes)
        print("FIGURES", json.dumps(figures))
    finally:
        for process in processes:
            process.stop()
