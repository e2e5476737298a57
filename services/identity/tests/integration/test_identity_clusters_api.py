"""Service Provider Clusters and Allocated Reports on the real stack, and scope following them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from cqrs_contracts import topics
from cqrs_contracts.events.identity import (
    ClusterChanged,
    ClusterCreated,
    ReportAllocationsRemoved,
    ReportsAllocated,
    UserClustersChanged,
)

pytestmark = pytest.mark.integration
API = "/api/identity"
QOF = {"quality_service_id": "qs-qof", "financial_year": "2025/26", "payment_type": "QOF"}
LES = {"quality_service_id": "qs-les", "financial_year": "2024/25", "payment_type": "Local"}


async def new_cluster(
    stack: Any, headers: dict[str, str], organisation: str, members: list[str]
) -> dict[str, Any]:
    response = await stack.client.post(
        f"{API}/clusters",
        headers=headers,
        json={
            "organisation": organisation,
            "name": f"Cluster {uuid.uuid4().hex[:6]}",
            "description": "for a test",
            "organisations": members,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_cluster_lifecycle_keeps_its_short_name(stack: Any, kafka_events: Callable[..., Any]) -> None:
    admin = await stack.demo("mia.ncl-admin")
    cluster = await new_cluster(stack, admin, "QMJ", ["U20001", "F83001"])
    assert cluster["short_name"].startswith("QMJ-C")
    cid = cluster["cluster_id"]
    renamed = await stack.client.patch(
        f"{API}/clusters/{cid}", headers=admin, json={"name": f"Renamed {cid[:6]}", "description": "new"}
    )
    assert renamed.json()["short_name"] == cluster["short_name"]
    added = await stack.client.post(
        f"{API}/clusters/{cid}/organisations", headers=admin, json={"organisations": ["F83002"]}
    )
    assert added.json()["organisations"] == ["U20001", "F83001", "F83002"]
    removed = await stack.client.post(
        f"{API}/clusters/{cid}/organisations/remove", headers=admin, json={"organisations": ["U20001"]}
    )
    assert removed.json()["organisations"] == ["F83001", "F83002"]
    events = await kafka_events(topics.IDENTITY_ORGANISATION, cid, lambda es: len(es) >= 4)
    assert [type(e) for e in events] == [ClusterCreated, ClusterChanged, ClusterChanged, ClusterChanged]
    assert events[-1].removed == ["U20001"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "Harrow practices"}, "name"),
        ({"organisations": ["F83001"]}, "organisations"),
        ({"organisations": ["QRV"]}, "organisations"),
        ({"organisations": []}, "organisations"),
        ({"organisations": ["bad"]}, "organisations.0"),
        ({"name": "x" * 201}, "name"),
    ],
)
async def test_bad_clusters_are_refused_naming_the_field(
    stack: Any, change: dict[str, Any], field: str
) -> None:
    admin = await stack.demo("omar.org-admin")
    body = {
        "organisation": "QRV",
        "name": f"Fresh {uuid.uuid4().hex[:6]}",
        "organisations": ["E85001"],
    } | change
    before = await stack.client.get(f"{API}/clusters?organisation=QRV", headers=admin)
    response = await stack.client.post(f"{API}/clusters", headers=admin, json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    after = await stack.client.get(f"{API}/clusters?organisation=QRV", headers=admin)
    assert len(after.json()["clusters"]) == len(before.json()["clusters"])


async def test_an_organisation_without_clusters_says_so(stack: Any) -> None:
    admin = await stack.demo("ada.advanced-admin")
    listed = (await stack.client.get(f"{API}/clusters?organisation=QUE", headers=admin)).json()
    assert listed["clusters"] == []
    assert listed["message"] == "There are no Provider Clusters defined for this organisation"


async def test_assigning_a_cluster_narrows_the_users_scope(
    stack: Any, kafka_events: Callable[..., Any]
) -> None:
    user_id, address = await stack.user({"QRV": ["View"]})
    admin = await stack.demo("uma.user-admin")
    cid = await stack.cluster_id("QRV")
    assigned = await stack.client.put(
        f"{API}/users/{user_id}/clusters", headers=admin, json={"organisation": "QRV", "cluster_ids": [cid]}
    )
    assert assigned.status_code == 200, assigned.text
    me = await stack.client.get(
        f"{API}/users/me", headers=await stack.headers(address, "a long test passphrase 1")
    )
    assert me.json()["grants"] == [{**me.json()["grants"][0], "cluster_ids": [cid]}]
    tokens = await stack.tokens(address, "a long test passphrase 1")
    principal = await stack.principal(tokens["access_token"])
    inside = {"QRV", "U10001", "E85001", "E85002", "E85003"}  # QRV is the user's own organisation
    reached = {o for o in inside | {"E85004", "U10002", "QUE"} if await stack.may(principal, "View", o)}
    assert reached == inside
    wrong = await stack.client.put(
        f"{API}/users/{user_id}/clusters",
        headers=admin,
        json={"organisation": "QRV", "cluster_ids": ["nope"]},
    )
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "cluster_ids")
    events = await kafka_events(
        topics.IDENTITY_USER, user_id, lambda es: any(isinstance(e, UserClustersChanged) for e in es)
    )
    assert [e.cluster_ids for e in events if isinstance(e, UserClustersChanged)] == [[cid]]


async def test_reports_are_allocated_filtered_and_removed(
    stack: Any, kafka_events: Callable[..., Any]
) -> None:
    admin = await stack.demo("mia.ncl-admin")
    body = {"organisation": "QMJ", "descendant": "U20002", "services": [QOF, LES]}
    allocated = await stack.client.post(f"{API}/allocated-reports", headers=admin, json=body)
    assert len(allocated.json()["services"]) == 2
    filtered = (
        await stack.client.get(
            f"{API}/allocated-reports?organisation=QMJ&financial_year=2025/26", headers=admin
        )
    ).json()
    assert [s["quality_service_id"] for a in filtered for s in a["services"]] == ["qs-qof"]
    removed = await stack.client.post(
        f"{API}/allocated-reports/remove",
        headers=admin,
        json={"organisation": "QMJ", "descendant": "U20002", "quality_service_ids": ["qs-qof"]},
    )
    assert [s["quality_service_id"] for s in removed.json()["services"]] == ["qs-les"]
    mia = (await stack.client.get(f"{API}/users/me", headers=admin)).json()["user_id"]

    def ours(events: list[Any]) -> list[Any]:
        """This session's events: earlier runs used the same allocation key on the topic."""
        return [e for e in events if mia in {getattr(e, "allocated_by", ""), getattr(e, "removed_by", "")}]

    events = ours(
        await kafka_events(
            topics.IDENTITY_ORGANISATION,
            "QMJ:U20002",
            lambda es: any(isinstance(e, ReportAllocationsRemoved) for e in ours(es)),
        )
    )
    assert [type(e) for e in events] == [ReportsAllocated, ReportAllocationsRemoved]
    assert [s.quality_service_id for s in events[-1].allocated] == ["qs-les"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"descendant": "QMJ"}, 422, "descendant"),
        ({"descendant": "QRV"}, 403, "descendant"),
        ({"descendant": "E85001"}, 403, "organisation"),
        ({"services": [QOF | {"financial_year": "2025-26"}]}, 422, "services.0.financial_year"),
        ({"services": []}, 422, "services"),
    ],
)
async def test_bad_allocations_are_refused(stack: Any, body: dict[str, Any], status: int, field: str) -> None:
    admin = await stack.demo("mia.ncl-admin")
    sent = {"organisation": "QMJ", "descendant": "U20001", "services": [QOF]} | body
    if body.get("descendant") == "E85001":
        sent["organisation"] = "QRV"
    response = await stack.client.post(f"{API}/allocated-reports", headers=admin, json=sent)
    assert (response.status_code, response.json()["errors"][0]["field"]) == (status, field)


async def test_quick_successive_changes_are_all_kept_and_published(
    stack: Any, kafka_events: Callable[..., Any]
) -> None:
    """Saves racing the relay's removal of published entries lose nothing (the kit serialises them)."""
    admin = await stack.demo("mia.ncl-admin")
    cid = (await new_cluster(stack, admin, "QMJ", ["F83010"]))["cluster_id"]
    for n in range(1, 11):
        renamed = await stack.client.patch(
            f"{API}/clusters/{cid}", headers=admin, json={"description": f"v{n}"}
        )
        assert renamed.json()["description"] == f"v{n}"
        added = await stack.client.post(
            f"{API}/clusters/{cid}/organisations", headers=admin, json={"organisations": [f"F830{n:02d}"]}
        )
        assert f"F830{n:02d}" in added.json()["organisations"]
    final = (await stack.client.get(f"{API}/clusters/{cid}", headers=admin)).json()
    assert final["description"] == "v10"
    assert len(final["organisations"]) == 10
    assert final["version"] == 1 + 10 + 9  # created, ten descriptions, nine new members
    events = await kafka_events(topics.IDENTITY_ORGANISATION, cid, lambda es: len(es) >= 20)
    assert len(events) == 20


async def test_concurrent_changes_either_persist_or_conflict(
    stack: Any, kafka_events: Callable[..., Any]
) -> None:
    """Every change answered 200 is kept and published; the others are refused with 409."""
    admin = await stack.demo("mia.ncl-admin")
    cid = (await new_cluster(stack, admin, "QMJ", ["F83011"]))["cluster_id"]
    responses = await asyncio.gather(
        *(
            stack.client.patch(f"{API}/clusters/{cid}", headers=admin, json={"description": f"c{n}"})
            for n in range(12)
        )
    )
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 409}
    final = (await stack.client.get(f"{API}/clusters/{cid}", headers=admin)).json()
    assert final["version"] == 1 + statuses.count(200)
    events = await kafka_events(topics.IDENTITY_ORGANISATION, cid, lambda es: len(es) >= final["version"])
    assert len(events) == final["version"]
