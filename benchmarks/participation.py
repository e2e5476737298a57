"""Confirm one offer to 6,300 providers (England's practices): time from confirm to the last
OfferMade on Kafka, printed beside the kit's raw relay rate measured in the same run."""

from __future__ import annotations

import datetime as dt
import time

from aiokafka import AIOKafkaConsumer

from cqrs_contracts import topics
from cqrs_contracts.events import OfferMade
from cqrs_contracts.registry import deserialize
from cqrs_kit.app import runtime_of
from cqrs_kit.testing import (
    bearer,
    endpoints,
    grant,
    isolated_settings,
    organisation,
    running_app,
    seed_directory,
)
from cqrs_participation.app import create_app
from cqrs_participation.domain.definition import financial_year_bounds, financial_year_of

API = "/api/participation"


def _service() -> dict[str, object]:
    year = financial_year_of(dt.datetime.now(dt.UTC).date())
    start, end = financial_year_bounds(year)
    return {
        "commissioner_organisation_id": "X26",
        "financial_year": year,
        "payment_type": "Local",
        "service_name": "Bench Service",
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "paycode": "BENCH",
        "components": [
            {"component_id": "c", "component_name": "C", "kind": "unit_priced", "unit_price_pence": 100}
        ],
    }


async def run(providers: int) -> dict[str, float]:
    """Seed ``providers`` practices, run the five steps, and time the confirmation to Kafka."""
    settings = isolated_settings("participation", log_level="WARNING")
    app = create_app(settings)
    headers = bearer(grant("Commissioning Management", "X26"))
    async with running_app(app) as client:
        runtime = runtime_of(app)
        tree = [organisation("X26", "NHS England"), organisation("QBENCH", "ICB", "X26")]
        tree += [organisation(f"P{n:05d}", "GP Practice", "QBENCH") for n in range(providers)]
        await seed_directory(runtime.directory, tree)
        made = await client.post(f"{API}/quality-services", json=_service(), headers=headers)
        service_id = made.json()["quality_service_id"]
        await client.post(f"{API}/quality-services/{service_id}/publish", headers=headers)
        draft = await client.post(
            f"{API}/offer-drafts",
            json={"commissioner_organisation_id": "X26", "quality_service_id": service_id},
            headers=headers,
        )
        url = f"{API}/offer-drafts/{draft.json()['draft_id']}"
        dates = (await client.get(f"{url}/details", headers=headers)).json()
        await client.put(f"{url}/details", json=dates, headers=headers)
        chosen = await client.put(f"{url}/providers", json={"select_all": True}, headers=headers)
        assert len(chosen.json()["providers"]) == providers, chosen.text
        await client.post(f"{url}/submit", headers=headers)
        consumer = AIOKafkaConsumer(
            topics.PARTICIPATION_OFFER,
            bootstrap_servers=endpoints()["CQRS_KAFKA_BOOTSTRAP"],
            auto_offset_reset="latest",
            group_id=None,
        )
        await consumer.start()
        try:
            await consumer.getmany(timeout_ms=1000)  # take the partitions' end before confirming
            started = time.perf_counter()
            confirmed = await client.post(f"{url}/confirm", headers=headers, timeout=600)
            answered = time.perf_counter() - started
            assert confirmed.json()["offers_made"] == providers, confirmed.text
            seen: set[str] = set()
            while len(seen) < providers and time.perf_counter() - started < 600:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    for record in records:
                        ce_type = dict(record.headers).get("ce_type", b"").decode()
                        if ce_type != OfferMade.ce_type():
                            continue  # other tests' events share the topic
                        event = deserialize(ce_type, record.value)
                        if isinstance(event, OfferMade) and event.quality_service_id == service_id:
                            seen.add(event.offer_id)
            last = time.perf_counter() - started
        finally:
            await consumer.stop()
        await runtime.mongo.client.drop_database(settings.database_name)
    rate = len(seen) / last
    print(
        f"participation: confirm to {providers} providers answered in {answered:.1f} s; "
        f"last OfferMade on Kafka after {last:.1f} s ({len(seen)} seen, {rate:,.0f} offers/s)",
        flush=True,
    )
    return {"answered": answered, "last": last, "rate": rate}
