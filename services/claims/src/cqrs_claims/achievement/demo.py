"""Demo achievement for `make run`: the demo QOF service's payment settings and a few
``AchievementExtracted`` events for the demo practices, sent as a GP data extraction system would.

The demo QOF service is participation's demo ``qs-qof-<first year>`` of the current financial year
(NHS England, X24), with its indicator codes, declared by each practice; the demo Network Contract
DES ``qs-ncd-<first year>`` is declared by each PCN (by a nominated person: identity's demo
nina.nominated and noah.nominated at U10001). The practices are identity's demo North West London
practices (E85001-E85014, in PCNs U10001 and U10002). Claims opens their declarations once it has
both the service (from participation's events) and the extractions, in whichever order they come.

Loading twice changes nothing: the settings are written only when the service has none (a
commissioner's own settings win), and each extraction and its envelope have ids derived from the
service, practice and achievement date, so a repeat is kept once and recalculates nothing.
Run ``python -m cqrs_claims.achievement.demo`` (CQRS_ environment, development only).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import sys
from collections.abc import Awaitable, Callable
from decimal import Decimal

from cqrs_claims.achievement.domain.rules import PaymentSettings
from cqrs_claims.achievement.store import INDEXES, AchievementStore
from cqrs_contracts.achievement_generator import IndicatorProfile, extraction
from cqrs_contracts.envelope import Envelope, envelope_for
from cqrs_contracts.events import AchievementExtracted
from cqrs_kit.idempotency import derived_id
from cqrs_kit.runtime import Runtime

Publish = Callable[[AchievementExtracted, Envelope], Awaitable[None]]
"""Sends one extraction with its envelope (to Kafka from ``make run``; to a handler in tests)."""

DEMO_PRACTICES = tuple(f"E85{n:03d}" for n in range(1, 15))
"""Identity's demo practices of North West London ICB (QRV)."""

QOF_PROFILES = (
    IndicatorProfile("DM012", 0.074),
    IndicatorProfile("HYP008", 0.144),
    IndicatorProfile("AST007", 0.065),
    IndicatorProfile("AF008", 0.022),
    IndicatorProfile("QI001", None, 1.0),
    IndicatorProfile("QI002", None, 1.0),
    IndicatorProfile("PE001", None, 1.0),
    IndicatorProfile("PE002", None, 1.0),
    IndicatorProfile("CS005", None, 0.16),
    IndicatorProfile("CS006", None, 0.07),
)
"""The indicators of participation's demo QOF service; the prevalence-adjusted ones have a
register at roughly their national prevalence."""

NCD_PROFILES = (
    IndicatorProfile("VI-02", None, 0.18),
    IndicatorProfile("CVD-05", 0.144),
    IndicatorProfile("ACC-08", None, 1.0),
)
"""The indicators of participation's demo Network Contract DES (declared by PCNs)."""

IIF_POINT_PENCE = 19800
"""IIF's published price a point for 2024/25 (£198), used for the demo Network Contract DES."""

PUBLISHED_MONEY = {2023: (21343, 9639), 2024: (22062, 9964), 2025: (22549, 9964)}
"""Price per point (pence) and national average list size by first year, as published (2025/26's
average list is not published yet: 2024/25's is used, and for any later year the newest)."""


class NotDevelopment(RuntimeError):
    """Demo data belongs in development only."""


def financial_year_of(day: dt.date) -> str:
    """The NHS financial year (1 April to 31 March) a day falls in, as ``2025/26``."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def demo_service_id(today: dt.date) -> str:
    """Participation's demo QOF service of the financial year ``today`` falls in."""
    return f"qs-qof-{financial_year_of(today)[:4]}"


def achievement_dates(today: dt.date) -> list[dt.date]:
    """The last days of the two months before this one within the year (its first day in April)."""
    start = dt.date(int(financial_year_of(today)[:4]), 4, 1)
    ends: list[dt.date] = []
    day = today.replace(day=1) - dt.timedelta(days=1)
    while day >= start and len(ends) < 2:
        ends.append(day)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return sorted(ends) or [start]


def ncd_service_id(today: dt.date) -> str:
    """Participation's demo Network Contract DES of the financial year ``today`` falls in."""
    return f"qs-ncd-{financial_year_of(today)[:4]}"


def ncd_settings(today: dt.date) -> PaymentSettings:
    """The demo Network Contract DES's money (IIF's price a point); declared by each PCN."""
    average = demo_settings(today).national_average_list_size
    return PaymentSettings(
        price_per_point_pence=IIF_POINT_PENCE,
        national_average_list_size=average,
        national_prevalence={
            p.indicator_id: Decimal(str(p.prevalence)) for p in NCD_PROFILES if p.prevalence is not None
        },
        declaration_level="pcn",
    )


def demo_settings(today: dt.date) -> PaymentSettings:
    """The demo QOF service's money: the published price and list size, national prevalences."""
    first = int(financial_year_of(today)[:4])
    known = [year for year in PUBLISHED_MONEY if year <= first]
    price, average = PUBLISHED_MONEY[max(known) if known else min(PUBLISHED_MONEY)]
    return PaymentSettings(
        price_per_point_pence=price,
        national_average_list_size=average,
        national_prevalence={
            p.indicator_id: Decimal(str(p.prevalence)) for p in QOF_PROFILES if p.prevalence is not None
        },
    )


def demo_extractions(today: dt.date) -> list[AchievementExtracted]:
    """One extraction per demo service, practice and achievement date, the same every time for a
    day (QOF's first, then the Network Contract DES's)."""
    year = financial_year_of(today)
    found = []
    services = ((demo_service_id(today), QOF_PROFILES), (ncd_service_id(today), NCD_PROFILES))
    for service, indicators in services:
        found += _extractions(service, year, indicators, today)
    return found


def _extractions(
    service: str, year: str, indicators: tuple[IndicatorProfile, ...], today: dt.date
) -> list[AchievementExtracted]:
    found = []
    for day in achievement_dates(today):
        for practice in DEMO_PRACTICES:
            rng = random.Random(f"demo:{service}:{practice}:{day}")  # noqa: S311 - demo data
            made = extraction(
                rng,
                quality_service_id=service,
                financial_year=year,
                practice_ods_code=practice,
                achievement_date=day,
                indicators=indicators,
            )
            sent = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(6), tzinfo=dt.UTC)
            found.append(made.model_copy(update={"extracted_at": sent}))
    return found


async def load_demo(runtime: Runtime, publish: Publish, today: dt.date | None = None) -> int:
    """Set the demo QOF service's and Network Contract DES's payment settings (where they have
    none) and send their extractions; how many extractions were sent."""
    if runtime.settings.environment != "development":
        msg = f"demo data is for development only, not {runtime.settings.environment!r}"
        raise NotDevelopment(msg)
    today = today or dt.datetime.now(dt.UTC).date()
    store = AchievementStore(runtime.mongo)
    service = demo_service_id(today)
    for quality_service_id, settings in (
        (service, demo_settings(today)),
        (ncd_service_id(today), ncd_settings(today)),
    ):
        if await store.settings(quality_service_id) is None:
            await store.save_settings(quality_service_id, settings)
    events = demo_extractions(today)
    for event in events:
        envelope = envelope_for(event, source="/demo/gp-extraction", correlation_id=f"demo-{service}")
        await publish(event, envelope.model_copy(update={"id": derived_id("demo", event.extraction_id)}))
    return len(events)


async def _main() -> int:
    from aiokafka import AIOKafkaProducer  # noqa: PLC0415 - only the command sends to Kafka

    from cqrs_claims.claims.settings import ClaimsSettings  # noqa: PLC0415 - reads the environment
    from cqrs_contracts.envelope import to_kafka_headers  # noqa: PLC0415
    from cqrs_contracts.registry import serialize  # noqa: PLC0415

    runtime = Runtime.build(ClaimsSettings(service_name="claims"), outbox_collections=[])
    producer = AIOKafkaProducer(
        bootstrap_servers=runtime.settings.kafka_bootstrap, enable_idempotence=True, acks="all"
    )

    async def send(event: AchievementExtracted, envelope: Envelope) -> None:
        await producer.send_and_wait(
            event.topic,
            serialize(event),
            key=event.aggregate_id().encode(),
            headers=to_kafka_headers(envelope),
        )

    await producer.start()
    try:
        await runtime.mongo.ensure_indexes(INDEXES)
        sent = await load_demo(runtime, send)
    except NotDevelopment as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        await producer.stop()
        await runtime.mongo.close()
    print(f"claims demo achievement: {sent} extractions sent for {demo_service_id(dt.date.today())}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main()))
