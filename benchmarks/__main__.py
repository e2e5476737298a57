"""`make bench`: every benchmark, printing figures; BENCH_N sets the event count."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os

from benchmarks import achievement, outbox, participation


async def main() -> None:
    """Run the benchmarks one after another on the real stack."""
    logging.basicConfig(level=logging.WARNING)
    n = int(os.environ.get("BENCH_N", "2000"))
    print(f"== events: outbox path vs raw Kafka (N={n}) ==", flush=True)
    kit = await outbox.outbox_path(n)
    raw = await outbox.raw_path(n)
    single = min(n, int(os.environ.get("BENCH_SINGLE_N", "200")))
    kit_one = await outbox.outbox_path(single, one_at_a_time=True)
    raw_one = await outbox.raw_path(single, one_at_a_time=True)
    print(
        f"ratio outbox/raw: throughput {kit['rate'] / raw['rate']:.2f}x (all at once); "
        f"latency one at a time p50 {kit_one['p50'] / raw_one['p50']:.2f}x, "
        f"p99 {kit_one['p99'] / raw_one['p99']:.2f}x",
        flush=True,
    )
    providers = int(os.environ.get("BENCH_PROVIDERS", "6300"))
    print(f"== participation: one offer confirmed to {providers} providers ==", flush=True)
    offers = await participation.run(providers)
    print(
        f"offers/s from confirm to the last OfferMade: {offers['rate']:,.0f}, beside the kit's raw "
        f"relay rate in this run {kit['rate']:,.0f} events/s ({offers['rate'] / kit['rate']:.2f}x)",
        flush=True,
    )
    print("== achievement: a national year, exact ==", flush=True)
    achievement.run()
    if importlib.util.find_spec("benchmarks.scanning") is not None:
        from benchmarks import scanning  # noqa: PLC0415 - optional until the scanning service lands

        print("== scanning ==", flush=True)
        await scanning.run(
            int(os.environ.get("BENCH_SCAN_SMALL", "200")), int(os.environ.get("BENCH_SCAN_LARGE", "20"))
        )
    if importlib.util.find_spec("benchmarks.claims") is not None:
        from benchmarks import claims  # noqa: PLC0415

        print("== claims: upload to Pending Tier 1 Review ==", flush=True)
        await claims.run()
    from benchmarks import notifications  # noqa: PLC0415

    providers = int(os.environ.get("BENCH_NOTIFY_PROVIDERS", "6300"))
    print(f"== notifications: one offer to {providers} providers ==", flush=True)
    await notifications.run(providers, int(os.environ.get("BENCH_NOTIFY_USERS", "5")))


if __name__ == "__main__":
    asyncio.run(main())
