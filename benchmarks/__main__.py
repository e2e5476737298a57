"""`make bench`: every benchmark, printing figures; BENCH_N sets the event count, BENCH_ONLY
(comma-separated: events, participation, achievement, scanning, claims, notifications) runs some."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os

from benchmarks import achievement, outbox, participation

ONLY = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}


def wanted(name: str) -> bool:
    """Whether this run includes the named benchmark (all of them unless BENCH_ONLY says)."""
    return not ONLY or name in ONLY


async def events(n: int) -> dict[str, float]:
    """The kit's event path beside raw Kafka; returns the rates."""
    print(f"== events: (a) raw Kafka, (b) raw Kafka + idempotent insert, (c) the kit (N={n}) ==", flush=True)
    raw = await outbox.raw_path(n, with_insert=False)
    raw_insert = await outbox.raw_path(n, with_insert=True)
    kit = await outbox.kit_path(n)
    single = min(n, int(os.environ.get("BENCH_SINGLE_N", "200")))
    raw_one = await outbox.raw_path(single, with_insert=False, one_at_a_time=True)
    raw_insert_one = await outbox.raw_path(single, with_insert=True, one_at_a_time=True)
    kit_one = await outbox.kit_path(single, one_at_a_time=True)
    print(
        f"throughput (c)/(b) {kit['rate'] / raw_insert['rate']:.2f}x (target >= 0.5), "
        f"(c)/(a) {kit['rate'] / raw['rate']:.2f}x; "
        f"save -> effect one at a time: p50 {kit_one['p50']:.1f} ms, p99 {kit_one['p99']:.1f} ms "
        f"(raw+insert p50 {raw_insert_one['p50']:.1f} ms, raw p50 {raw_one['p50']:.1f} ms)",
        flush=True,
    )
    return {"raw": raw["rate"], "raw_insert": raw_insert["rate"], "kit": kit["rate"]}


async def main() -> None:
    """Run the benchmarks one after another on the real stack."""
    logging.basicConfig(level=logging.WARNING)
    n = int(os.environ.get("BENCH_N", "2000"))
    rates = await events(n) if wanted("events") else {}
    if wanted("participation"):
        providers = int(os.environ.get("BENCH_PROVIDERS", "6300"))
        print(f"== participation: one offer confirmed to {providers} providers ==", flush=True)
        offers = await participation.run(providers)
        kit_rate = rates.get("kit") or (await outbox.kit_path(n))["rate"]
        print(
            f"offers/s from confirm to the last OfferMade: {offers['rate']:,.0f}, beside the kit's raw "
            f"relay rate in this run {kit_rate:,.0f} events/s ({offers['rate'] / kit_rate:.2f}x)",
            flush=True,
        )
    if wanted("achievement"):
        print("== achievement: a national year, exact ==", flush=True)
        achievement.run()
    if wanted("scanning") and importlib.util.find_spec("benchmarks.scanning") is not None:
        from benchmarks import scanning  # noqa: PLC0415 - optional until the scanning service lands

        print("== scanning ==", flush=True)
        await scanning.run(
            int(os.environ.get("BENCH_SCAN_SMALL", "200")), int(os.environ.get("BENCH_SCAN_LARGE", "20"))
        )
    if wanted("claims") and importlib.util.find_spec("benchmarks.claims") is not None:
        from benchmarks import claims  # noqa: PLC0415

        print("== claims: upload to Pending Tier 1 Review ==", flush=True)
        await claims.run()
    if wanted("notifications"):
        from benchmarks import notifications  # noqa: PLC0415

        providers = int(os.environ.get("BENCH_NOTIFY_PROVIDERS", "6300"))
        users = int(os.environ.get("BENCH_NOTIFY_USERS", "5"))
        print(f"== notifications: one offer to {providers} providers, {users} users each ==", flush=True)
        raw_insert = rates.get("raw_insert") or (await outbox.raw_path(n, with_insert=True))["rate"]
        await notifications.run(providers, users, kit_rate=raw_insert)


if __name__ == "__main__":
    asyncio.run(main())
