"""Achievement to declaration on the real database: opening, idempotency, PCN changes, who may act,
and bulk approval with mixed results."""

from __future__ import annotations

import datetime as dt

from cqrs_claims.achievement.domain.calculation import calculate_practice
from cqrs_claims.achievement.service import Achievement
from cqrs_contracts.events.identity import PcnRelationshipEnded
from cqrs_kit.testing import bearer, grant

from .achievement_stack import API, Claims, claims_app, extraction

PRACTICE_VIEW = bearer(grant("View", "A81001"))
ICB_APPROVER = bearer(grant("Approval Management", "QWE"))
ICB_FINANCE = bearer(grant("Finance Management", "QWE"))
NOMINATED = bearer(grant("PCN Organisation", "U11111"), grant("Declaration Management", "U11111"))


async def expected_pence(claims: Claims, service: str, *practices: str) -> int:
    achievement = Achievement.of(claims.runtime)
    rules = await achievement.rules(service)
    assert rules is not None
    total = 0
    for practice in practices:
        latest = await achievement.store.latest(service, practice)
        assert latest is not None
        total += calculate_practice(rules, practice, latest.list_size, latest.indicators).pence
    return total


async def test_extraction_opens_a_declaration_and_a_repeat_changes_nothing() -> None:
    async with claims_app() as claims:
        service = await claims.national_service()
        event = extraction(service, "A81001")
        await claims.deliver(event, envelope_id="delivery-1")
        await claims.deliver(event, envelope_id="delivery-1")
        await claims.deliver(event, envelope_id="delivery-2")  # the same extraction sent again
        key = f"{service}:A81001"
        declaration = await claims.declaration(key, PRACTICE_VIEW)
        assert declaration["status"] == "Awaiting Service Provider Approval"
        assert declaration["version"] == 1
        assert declaration["figures"]["achievement_pence"] == await expected_pence(claims, service, "A81001")
        stored = await claims.runtime.mongo.collection("achievement_extractions").count_documents({})
        assert stored == 1
        breakdown = (
            await claims.client.get(f"{API}/declarations/{key}/breakdown", headers=PRACTICE_VIEW)
        ).json()
        assert breakdown["pence"] == declaration["figures"]["achievement_pence"]
        assert [s["name"] for s in breakdown["practices"][0]["indicators"][1]["steps"]][-3:] == [
            "APDF",
            "pounds",
            "payment",
        ]


async def test_new_data_recalculates_and_returns_the_declaration_to_the_provider() -> None:
    declarer = bearer(grant("Declaration Management", "A81001"))
    async with claims_app() as claims:
        service = await claims.national_service()
        await claims.deliver(extraction(service, "A81001", met=850))
        key = f"{service}:A81001"
        declared = await claims.client.post(f"{API}/declarations/{key}/declare", headers=declarer)
        assert declared.json()["status"] == "Awaiting Commissioning Organisation Approval"
        before = declared.json()["figures"]["achievement_pence"]
        await claims.deliver(extraction(service, "A81001", met=900))
        after = await claims.declaration(key, PRACTICE_VIEW)
        assert after["status"] == "Awaiting Service Provider Approval"
        assert after["figures"]["achievement_pence"] > before
        assert after["declared_by"] is None


async def test_pcn_declaration_follows_membership_on_the_achievement_date() -> None:
    async with claims_app() as claims:
        service = await claims.national_service(level="pcn")
        for practice in ("A81001", "A81002", "A81003"):
            await claims.deliver(extraction(service, practice))
        key = f"{service}:U11111"
        opened = await claims.declaration(key, NOMINATED)
        assert opened["figures"]["practice_ods_codes"] == ["A81001", "A81002"]  # A81003 is in U22222
        both = await expected_pence(claims, service, "A81001", "A81002")
        assert opened["figures"]["achievement_pence"] == both
        practice_declarer = bearer(grant("Declaration Management", "A81001"))
        refused = await claims.client.post(f"{API}/declarations/{key}/declare", headers=practice_declarer)
        assert refused.status_code == 403
        declared = await claims.client.post(f"{API}/declarations/{key}/declare", headers=NOMINATED)
        assert declared.json()["status"] == "Awaiting Commissioning Organisation Approval"

        # A81002 left U11111 on 31 December 2024, mid-year: on 31 March it is no longer counted
        left = PcnRelationshipEnded(
            relationship_id="A81002:U11111:2020-04-01",
            practice_ods_code="A81002",
            pcn_ods_code="U11111",
            end_date=dt.date(2024, 12, 31),
            recorded_at=dt.datetime.now(dt.UTC),
        )
        await claims.deliver(left)
        once = await claims.declaration(key, NOMINATED)
        await claims.deliver(left)
        after = await claims.declaration(key, NOMINATED)
        assert after == once  # a repeated membership event changes nothing
        assert after["figures"]["practice_ods_codes"] == ["A81001"]
        assert after["figures"]["achievement_pence"] == await expected_pence(claims, service, "A81001")
        assert after["status"] == "Awaiting Service Provider Approval"
        assert after["version"] == declared.json()["version"] + 1

        network = await claims.client.get(
            f"{API}/achievement/network",
            params={"pcn": "U11111", "quality_service_id": service, "financial_year": "2024/25"},
            headers=NOMINATED,
        )
        assert network.status_code == 200, network.text
        body = network.json()
        assert [p["practice_ods_code"] for p in body["practices"]] == ["A81001"]
        assert body["pence"] == after["figures"]["achievement_pence"]
        assert body["achievement_date"] == "2025-03-31"
        assert {i["indicator_id"] for i in body["indicators"]} == {"CHOL001", "HYP008"}


async def test_bulk_approval_gives_a_result_per_declaration() -> None:
    async with claims_app() as claims:
        service = await claims.national_service()
        for practice in ("A81001", "A81002", "A81003", "B82001"):
            await claims.deliver(extraction(service, practice))
        for practice in ("A81001", "A81002", "B82001"):
            declarer = bearer(grant("Declaration Management", practice))
            done = await claims.client.post(
                f"{API}/declarations/{service}:{practice}/declare", headers=declarer
            )
            assert done.status_code == 200, done.text
        keys = [f"{service}:{p}" for p in ("A81001", "A81002", "A81003", "B82001")] + ["no-such-declaration"]
        response = await claims.client.post(
            f"{API}/declarations/approve", json={"declaration_ids": keys}, headers=ICB_APPROVER
        )
        assert response.status_code == 200, response.text
        results = {r["declaration_id"]: r for r in response.json()["results"]}
        assert response.json()["approved"] == 2
        assert results[f"{service}:A81001"]["status"] == "Awaiting Finance Approval"
        assert results[f"{service}:A81002"]["result"] == "approved"
        assert (
            "Awaiting Service Provider Approval cannot be approved" in results[f"{service}:A81003"]["reason"]
        )
        assert results[f"{service}:B82001"]["result"] == "refused"  # another ICB's practice
        assert results["no-such-declaration"]["result"] == "refused"

        waiting = await claims.client.get(
            f"{API}/declarations",
            params={"status": "Awaiting Finance Approval", "quality_service_id": service, "limit": 1},
            headers=ICB_FINANCE,
        )
        assert (waiting.json()["total"], len(waiting.json()["items"])) == (2, 1)
        finance = await claims.client.post(
            f"{API}/declarations/approve",
            json={"select_all": True, "quality_service_id": service, "status": "Awaiting Finance Approval"},
            headers=ICB_FINANCE,
        )
        assert finance.json()["approved"] == 2
        assert {r["status"] for r in finance.json()["results"]} == {"Approved for Payment"}
        again = await claims.client.post(
            f"{API}/declarations/{service}:A81001/finance-approve", headers=ICB_FINANCE
        )
        assert again.status_code == 409
