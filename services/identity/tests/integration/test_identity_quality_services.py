"""Allocated Reports trust only the Quality Services identity learnt from participation's
QualityServicePublished (real Kafka): the read model, its idempotence, and the select-all list."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from cqrs_contracts.examples_participation import example_quality_service
from cqrs_kit.testing import eventually, publish

pytestmark = pytest.mark.integration
API = "/api/identity"


async def test_a_published_quality_service_becomes_allocatable_once(stack: Any) -> None:
    qs_id = f"qs-learnt-{uuid.uuid4().hex[:8]}"
    admin = await stack.demo("mia.ncl-admin")
    body = {
        "organisation": "QMJ",
        "descendant": "U20001",
        "services": [{"quality_service_id": qs_id, "financial_year": "2025/26", "payment_type": "Local"}],
    }
    before = await stack.client.post(f"{API}/allocated-reports", headers=admin, json=body)
    assert (before.status_code, before.json()["errors"][0]["field"]) == (422, "services.0.quality_service_id")

    first = example_quality_service().model_copy(
        update={
            "quality_service_id": qs_id,
            "commissioner_organisation_id": "QMJ",
            "service_name": "Learnt v1",
        }
    )
    second = first.model_copy(update={"service_version": 2, "service_name": "Learnt v2"})
    await publish(first, second, first)  # a replayed older version changes nothing

    url = (
        f"{API}/allocated-reports/quality-services?organisation=QMJ&financial_year=2025/26&payment_type=Local"
    )

    async def listed() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (await stack.client.get(url, headers=admin)).json()
        return [s for s in found if s["quality_service_id"] == qs_id and s["service_version"] == 2]

    [learnt] = await eventually(listed, timeout=60)
    assert (learnt["service_name"], learnt["commissioner"]) == ("Learnt v2", "QMJ")
    await publish(first)
    stored = await stack.runtime.mongo.collection("quality_services").count_documents({"_id": qs_id})
    assert stored == 1
    assert (await listed())[0]["service_name"] == "Learnt v2"

    allocated = await stack.client.post(f"{API}/allocated-reports", headers=admin, json=body)
    assert allocated.status_code == 200, allocated.text
    other_year = await stack.client.get(
        f"{API}/allocated-reports/quality-services?organisation=QMJ&financial_year=2024/25", headers=admin
    )
    assert qs_id not in {s["quality_service_id"] for s in other_year.json()}
    elsewhere = await stack.client.get(
        f"{API}/allocated-reports/quality-services?organisation=QRV",
        headers=await stack.demo("omar.org-admin"),
    )
    assert qs_id not in {s["quality_service_id"] for s in elsewhere.json()}
    assert "qs-qof-2025" in {s["quality_service_id"] for s in elsewhere.json()}
    refused = await stack.client.get(
        f"{API}/allocated-reports/quality-services?organisation=QRV", headers=admin
    )
    assert refused.status_code == 403
