"""`make run`'s demo achievement on the real database (its own), handed to the claims app's own
handler instead of Kafka: after participation's demo QOF service arrives, every demo practice has
a declaration, Network achievement shows the demo PCNs, and loading again changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cqrs_claims.achievement.demo import (
    DEMO_PRACTICES,
    NCD_PROFILES,
    QOF_PROFILES,
    demo_service_id,
    financial_year_of,
    load_demo,
    ncd_service_id,
)
from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events import AchievementExtracted, QualityServicePublished
from cqrs_contracts.events.quality_service import Indicator, IndicatorDomain
from cqrs_kit.testing import bearer, grant, organisation, pcn_link, seed_directory

from .achievement_stack import API, Claims, claims_app

TODAY = dt.date(2026, 11, 26)
SENT = 2 * 2 * len(DEMO_PRACTICES)  # two services, two month ends, every demo practice
APPROVER = bearer(grant("Approval Management", "QRV"))
NOMINATED = bearer(grant("PCN Organisation", "U10001"), grant("Declaration Management", "U10001"))


def demo_qof(ncd: bool = False) -> QualityServicePublished:
    """Participation's demo QOF service as claims receives it (NHS England, practice declarations),
    or its Network Contract DES (declared by PCNs)."""
    year = financial_year_of(TODAY)
    return QualityServicePublished(
        quality_service_id=ncd_service_id(TODAY) if ncd else demo_service_id(TODAY),
        service_version=1,
        commissioner_organisation_id="X24",
        national=True,
        financial_year=year,
        payment_type="QOF",
        service_name=f"Quality and Outcomes Framework {year}",
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2027, 3, 31),
        paycode="QOF",
        claim_mode="single",
        declaration_required=True,
        approval_required=True,
        domains=[
            IndicatorDomain(
                domain="Clinical",
                indicators=[
                    Indicator(
                        indicator_id=p.indicator_id,
                        description=p.indicator_id,
                        lower_threshold_percent=40,
                        upper_threshold_percent=80,
                        maximum_points=10,
                        prevalence_adjusted=p.prevalence is not None,
                    )
                    for p in (NCD_PROFILES if ncd else QOF_PROFILES)
                ],
            )
        ],
        published_by="demo",
        published_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )


async def seed_demo_tree(claims: Claims) -> None:
    """Identity's demo North West London: QRV, PCNs U10001 (E85001-E85007) and U10002 (the rest)."""
    start = dt.date(2019, 7, 1)
    events: list[Any] = [
        organisation("X24", "NHS England"),
        organisation("QRV", "ICB", "X24"),
        organisation("U10001", "PCN", "QRV"),
        organisation("U10002", "PCN", "QRV"),
    ]
    events += [organisation(p, "GP Practice", "QRV") for p in DEMO_PRACTICES]
    events += [pcn_link(p, "U10001" if int(p[3:]) <= 7 else "U10002", start) for p in DEMO_PRACTICES]
    await seed_directory(claims.runtime.directory, events)


async def load(claims: Claims) -> int:
    handler = claims.runtime.consumer._handlers[AchievementExtracted.topic][AchievementExtracted.ce_type()]

    async def hand_over(event: AchievementExtracted, envelope: Envelope) -> None:
        await handler(event, envelope)

    return await load_demo(claims.runtime, hand_over, TODAY)


async def declarations(claims: Claims) -> list[dict[str, Any]]:
    response = await claims.client.get(f"{API}/declarations", params={"limit": 100}, headers=APPROVER)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_demo_achievement_gives_declarations_and_network_achievement() -> None:
    async with claims_app() as claims:
        await seed_demo_tree(claims)
        assert await load(claims) == SENT  # QOF and the Network Contract DES, September and October
        assert await declarations(claims) == []  # the service has not arrived yet: they wait
        await claims.deliver(demo_qof())
        opened = await declarations(claims)
        assert sorted(d["provider_organisation_id"] for d in opened) == list(DEMO_PRACTICES)
        assert {d["status"] for d in opened} == {"Awaiting Service Provider Approval"}
        assert all(d["figures"]["achievement_pence"] > 0 for d in opened)
        assert {d["figures"]["achievement_date"] for d in opened} == {"2026-10-31"}

        network = await claims.client.get(
            f"{API}/achievement/network",
            params={
                "pcn": "U10001",
                "quality_service_id": demo_service_id(TODAY),
                "financial_year": "2026/27",
            },
            headers=NOMINATED,
        )
        assert network.status_code == 200, network.text
        body = network.json()
        assert body["achievement_dates"] == ["2026-10-31", "2026-09-30"]
        assert len(body["practices"]) == 7
        assert body["pence"] == sum(
            d["figures"]["achievement_pence"] for d in opened if int(d["provider_organisation_id"][3:]) <= 7
        )

        versions = {d["declaration_id"]: d["version"] for d in opened}
        assert await load(claims) == SENT  # make run again
        again = await declarations(claims)
        assert {d["declaration_id"]: d["version"] for d in again} == versions
        stored = await claims.runtime.mongo.collection("achievement_extractions").count_documents({})
        assert stored == SENT


async def test_the_demo_network_contract_des_is_declared_by_a_pcns_nominated_person() -> None:
    async with claims_app() as claims:
        await seed_demo_tree(claims)
        await load(claims)
        await claims.deliver(demo_qof(ncd=True))
        opened = [d for d in await declarations(claims) if d["quality_service_id"] == ncd_service_id(TODAY)]
        assert sorted(d["provider_organisation_id"] for d in opened) == ["U10001", "U10002"]
        assert {d["provider_kind"] for d in opened} == {"pcn"}
        declared = await claims.client.post(
            f"{API}/declarations/{ncd_service_id(TODAY)}:U10001/declare", headers=NOMINATED
        )
        assert declared.status_code == 200, declared.text
        assert declared.json()["status"] == "Awaiting Commissioning Organisation Approval"


async def test_a_commissioners_own_payment_settings_are_kept() -> None:
    async with claims_app() as claims:
        service = demo_service_id(TODAY)
        await claims.deliver(demo_qof())
        own = {
            "price_per_point_pence": 10000,
            "national_average_list_size": 9000,
            "national_prevalence": {p.indicator_id: "0.1" for p in QOF_PROFILES if p.prevalence},
        }
        path = f"{API}/achievement/services/{service}/payment-settings"
        commissioner = bearer(grant("Commissioning Management", "X24"))
        assert (await claims.client.put(path, json=own, headers=commissioner)).status_code == 200
        await load(claims)
        kept = await claims.client.get(path, headers=commissioner)
        assert kept.json()["price_per_point_pence"] == 10000
