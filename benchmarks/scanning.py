"""Scanning benchmark: upload event → FileScanned on the real stack, beside clamd's raw INSTREAM
rate for the same files. Prints figures; asserts nothing about speed."""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import sys
import time
from collections.abc import Sequence

from benchmarks.stats import percentile
from cqrs_contracts.events import AttachmentUploaded
from cqrs_scanning import samples
from cqrs_scanning.clamd import Clamd
from cqrs_scanning.testing import Harness, outbox_entry, put_object, scanning_service, upload_event

SMALL = 50 * 1024
LARGE = 10 * 1024 * 1024


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


async def _stored(harness: Harness, label: str, count: int, size: int) -> list[AttachmentUploaded]:
    """Upload ``count`` distinct PDFs of ``size`` bytes; announce nothing yet."""
    events = []
    for n in range(count):
        data = samples.pdf([f"Benchmark evidence {label} {n}"], size=size)
        key = f"bench/{label}/{n}.pdf"
        await put_object(harness.s3, harness.bucket, key, data)
        events.append(upload_event(harness.bucket, key, f"{label}-{n}.pdf", len(data)))
    return events


async def _one_at_a_time(harness: Harness, events: Sequence[AttachmentUploaded]) -> list[float]:
    """Latency of each upload with nothing else queued: publish, wait for its verdict."""
    latencies = []
    for event in events:
        started = time.monotonic()
        await harness.publish(outbox_entry(event))
        await harness.watcher.wait_for([event.attachment_id], timeout=120)
        latencies.append(harness.watcher.seen[event.attachment_id][0].at - started)
    return latencies


async def _burst(harness: Harness, events: Sequence[AttachmentUploaded]) -> tuple[float, float]:
    """Attachments per second when all uploads are announced at once: verdicts recorded by the
    service, and FileScanned events received (the outbox relay publishes behind the scans)."""
    started, wall = time.monotonic(), dt.datetime.now(dt.UTC)
    # All in flight together, as the claims service's relay sends a batch (one by one, each
    # waiting for its ack, the announcing alone took most of the time measured).
    await asyncio.gather(*(harness.publish(outbox_entry(event)) for event in events))
    ids = [e.attachment_id for e in events]
    await harness.watcher.wait_for(ids, timeout=600)
    received = max(harness.watcher.seen[i][0].at for i in ids) - started
    records = [r for i in ids if (r := await harness.record(i)) is not None]
    recorded = (max(r.scanned_at for r in records) - wall).total_seconds()
    return len(events) / recorded, len(events) / received


async def _raw_clamd(harness: Harness, label: str, count: int, size: int) -> tuple[float, float]:
    """clamd alone: files/s and MB/s streaming the same kind of files from memory, one by one."""
    host, port = harness.settings.clamd_host_port
    clamd = Clamd(host, port)
    chunk = harness.settings.scan_chunk_bytes
    files = [samples.pdf([f"Raw {label} {n}"], size=size) for n in range(count)]
    started = time.monotonic()
    for data in files:
        async with clamd.instream() as stream:
            for offset in range(0, len(data), chunk):
                await stream.send(data[offset : offset + chunk])
            await stream.verdict()
    elapsed = time.monotonic() - started
    return count / elapsed, sum(map(len, files)) / elapsed / 2**20


async def _measure(harness: Harness, label: str, count: int, size: int) -> None:
    sequential = await _stored(harness, f"{label}-seq", count, size)
    burst = await _stored(harness, f"{label}-burst", count, size)
    latencies = await _one_at_a_time(harness, sequential)
    recorded, received = await _burst(harness, burst)
    raw_files, raw_mb = await _raw_clamd(harness, label, count, size)
    scan_ms = [r.scan_ms for e in sequential if (r := await harness.record(e.attachment_id))]
    print(
        f"scanning {label} ({size // 1024} KB PDF) x{count}: "
        f"all announced at once: {recorded:.1f} attachments/s scanned, "
        f"{received:.1f}/s FileScanned received; "
        f"upload event -> FileScanned p50 {_ms(statistics.median(latencies))}, "
        f"p99 {_ms(percentile(latencies, 0.99))} (one at a time; "
        f"inside the service p50 {statistics.median(scan_ms):.1f} ms); "
        f"clamd raw INSTREAM {raw_files:.1f} files/s, {raw_mb:.1f} MB/s "
        f"(scanned {recorded / raw_files:.2f}x of raw clamd; target >= 0.5)",
        flush=True,
    )


async def run(n_small: int, n_large: int) -> None:
    """Benchmark ``n_small`` 50 KB and ``n_large`` 10 MB attachments through a scanning service.

    Each size gets a fresh service and database: FerretDB v1 updates slow down as a collection
    grows, and that should not be charged to whichever size ran second.
    """
    for label, count, size in (("small", n_small, SMALL), ("large", n_large, LARGE)):
        if count <= 0:
            continue
        async with scanning_service() as harness:
            warm = await _stored(harness, "warm-up", 3, SMALL)
            await _one_at_a_time(harness, warm)
            await _measure(harness, label, count, size)


if __name__ == "__main__":
    small, large = (int(a) for a in (sys.argv[1:3] if len(sys.argv) > 2 else ("100", "10")))
    asyncio.run(run(small, large))
