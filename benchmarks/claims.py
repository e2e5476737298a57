"""Claims pipeline benchmark, the figure a provider feels: claims submitted over HTTP at a steady
offered rate, each with one 50 KB clean PDF, timed from the upload to Pending Tier 1 Review
(through the real scanning service and clamd). Prints figures; asserts nothing about speed."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import time
from typing import Any

from aiokafka import AIOKafkaConsumer

from benchmarks.stats import percentile
from cqrs_claims.harness import Stack, claims_stack
from cqrs_claims.testing import ear_irrigation
from cqrs_contracts.envelope import from_kafka_headers
from cqrs_contracts.events import ClaimReadyForTier1Review
from cqrs_contracts.topics import CLAIMS_CLAIM
from cqrs_kit.testing import endpoints, unique
from cqrs_scanning import samples

API = "/api/claims"
PDF_BYTES = 50 * 1024
TARGET_P99 = 2.0


class Tier1Watcher:
    """When each claim's ClaimReadyForTier1Review reached Kafka (monotonic seconds)."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start at the end of the claims topic."""
        consumer = AIOKafkaConsumer(
            CLAIMS_CLAIM,
            bootstrap_servers=endpoints()["CQRS_KAFKA_BOOTSTRAP"],
            group_id=None,
            auto_offset_reset="latest",
        )
        await consumer.start()
        await consumer.seek_to_end()
        self._consumer = consumer
        self._task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        assert self._consumer is not None
        ready = ClaimReadyForTier1Review.ce_type()
        async for record in self._consumer:
            envelope = from_kafka_headers(record.headers)
            if envelope.type == ready:
                self.seen.setdefault(envelope.subject, time.monotonic())

    async def stop(self) -> None:
        """Stop collecting."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()


async def _offered(stack: Stack, provider: str, service_id: str, headers: dict[str, str]) -> None:
    """Wait until the catalogue has taken the offer from Kafka."""
    for _ in range(300):
        answer = await stack.client.get(
            f"{API}/claims/availability", params={"provider_organisation_id": provider}, headers=headers
        )
        if service_id in {s["quality_service_id"] for s in answer.json()["services"]}:
            return
        await asyncio.sleep(0.1)
    msg = "the offer never reached the catalogue"
    raise RuntimeError(msg)


async def _draft(stack: Stack, provider: str, service_id: str, headers: dict[str, str]) -> str:
    """A draft holding one Ear Irrigation line of 1 unit, ready for its evidence (not timed)."""
    body = {"provider_organisation_id": provider, "commissioner_organisation_id": stack.commissioner}
    claim_id: str = (await stack.client.post(f"{API}/claims", json=body, headers=headers)).json()["claim_id"]
    await stack.client.post(
        f"{API}/claims/{claim_id}/services", json={"quality_service_id": service_id}, headers=headers
    )
    one = {"quality_service_id": service_id, "component_id": "ear-irrigation"}
    await stack.client.post(f"{API}/claims/{claim_id}/components", json=one, headers=headers)
    return claim_id


async def _submit(
    stack: Stack, claim_id: str, pdf: bytes, headers: dict[str, str], started: dict[str, float]
) -> None:
    """The timed part: upload the PDF, submit; the watcher sees Pending Tier 1 Review."""
    started[claim_id] = time.monotonic()
    files = {"file": (f"evidence-{claim_id}.pdf", pdf, "application/pdf")}
    uploaded = await stack.client.post(
        f"{API}/claims/{claim_id}/components/ear-irrigation/attachments", files=files, headers=headers
    )
    assert uploaded.status_code == 201, uploaded.text
    lines = {"lines": [{"component_id": "ear-irrigation", "units": 1}]}
    submitted = await stack.client.post(f"{API}/claims/{claim_id}/submit", json=lines, headers=headers)
    assert submitted.status_code == 200, submitted.text


async def _run_at(
    stack: Stack, watcher: Tier1Watcher, rate: float, seconds: float, context: dict[str, Any]
) -> tuple[list[float], int]:
    """Offer ``rate`` claims a second for ``seconds``; latencies (s) of those that reached Tier 1."""
    count = max(1, round(rate * seconds))
    drafts = [
        await _draft(stack, context["provider"], context["service"], context["headers"]) for _ in range(count)
    ]
    started: dict[str, float] = {}
    tasks = []
    begin = time.monotonic()
    for n, claim_id in enumerate(drafts):
        await asyncio.sleep(max(0.0, begin + n / rate - time.monotonic()))
        tasks.append(
            asyncio.create_task(_submit(stack, claim_id, context["pdf"], context["headers"], started))
        )
    await asyncio.gather(*tasks)
    for _ in range(1200):  # up to 60 s for the last ones to reach Tier 1
        if all(c in watcher.seen for c in drafts):
            break
        await asyncio.sleep(0.05)
    latencies = [watcher.seen[c] - started[c] for c in drafts if c in watcher.seen]
    return latencies, count - len(latencies)


def _line(label: str, latencies: list[float], missing: int) -> str:
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    late = f", {missing} not at Tier 1 within 60 s" if missing else ""
    return (
        f"{label:<38} {len(latencies):>4} claims  p50 {p50 * 1000:>7.0f} ms  p99 {p99 * 1000:>7.0f} ms{late}"
    )


async def run() -> None:
    """Reference (one claim at a time), the steady offered rate, then the highest sustained rate."""
    steady = float(os.environ.get("BENCH_CLAIMS_RATE", "2"))
    seconds = float(os.environ.get("BENCH_CLAIMS_SECONDS", "10"))
    ladder = [float(r) for r in os.environ.get("BENCH_CLAIMS_LADDER", "1,2,4,6,8,12").split(",")]
    print(
        f"cores: {os.cpu_count()}; one {PDF_BYTES // 1024} KB clean PDF per claim; in-process HTTP",
        flush=True,
    )
    watcher = Tier1Watcher()
    await watcher.start()
    try:
        async with claims_stack() as stack:
            provider = stack.practices[0]
            service = ear_irrigation([], service_id=unique("qs-bench")).model_copy(
                update={"commissioner_organisation_id": stack.commissioner}
            )
            await stack.offer(service, provider)
            headers = stack.user("Local User (single-level)", provider)
            await _offered(stack, provider, service.quality_service_id, headers)
            pdf = samples.pdf([f"Benchmark evidence {dt.date.today()}"], size=PDF_BYTES)
            context = {
                "provider": provider,
                "service": service.quality_service_id,
                "headers": headers,
                "pdf": pdf,
            }
            reference: list[float] = []
            for _ in range(5):
                latencies, _missing = await _run_at(stack, watcher, 1000.0, 0.001, context)
                reference += latencies
            print(_line("reference: one claim at a time", reference, 0), flush=True)
            latencies, missing = await _run_at(stack, watcher, steady, seconds, context)
            print(_line(f"steady {steady:g} claims/s for {seconds:g} s", latencies, missing), flush=True)
            best = 0.0
            for rate in ladder:
                latencies, missing = await _run_at(stack, watcher, rate, seconds, context)
                print(_line(f"  offered {rate:g} claims/s", latencies, missing), flush=True)
                if missing or percentile(latencies, 0.99) >= TARGET_P99:
                    break
                best = rate
            verdict = f"highest sustained rate with p99 < {TARGET_P99:g} s: {best:g} claims/s"
            print(f"{verdict} (target p99 < 1 s; the live service takes ~60 s)", flush=True)
    finally:
        await watcher.stop()
