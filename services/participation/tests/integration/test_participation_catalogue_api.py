"""Catalogue over HTTP on the real stack: who may define and publish, bad input, versions on Kafka."""

from __future__ import annotations

from cqrs_contracts import topics
from cqrs_contracts.events import QualityServicePublished

from .conftest import API, Stack, commissioner, events_for, manager, service_body


async def test_publish_puts_the_whole_service_on_kafka(stack: Stack) -> None:
    service_id = await stack.published_service(paycode="QWE-KAFKA")
    events = await events_for(topics.PARTICIPATION_SERVICE, service_id, lambda es: len(es) >= 1)
    (event,) = events
    assert isinstance(event, QualityServicePublished)
    assert (event.service_version, event.paycode, event.commissioner_organisation_id) == (
        1,
        "QWE-KAFKA",
        "QWE",
    )
    assert [c.unit_price_pence for c in event.components] == [19342, None]
    assert event.components[1].information_note == "Read me"


async def test_a_change_publishes_a_new_version_with_the_same_paycode(stack: Stack) -> None:
    service_id = await stack.published_service()
    headers = commissioner()
    changed = service_body(service_name="Complex Care Plans (revised)")
    assert (
        await stack.client.put(f"{API}/quality-services/{service_id}/draft", json=changed, headers=headers)
    ).status_code == 200
    assert (await stack.client.post(f"{API}/quality-services/{service_id}/publish", headers=headers)).json()[
        "service_version"
    ] == 2
    first = await stack.client.get(f"{API}/quality-services/{service_id}/versions/1", headers=headers)
    assert first.json()["service_name"] != "Complex Care Plans (revised)"
    refused = await stack.client.put(
        f"{API}/quality-services/{service_id}/draft", json=service_body(paycode="NEW"), headers=headers
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "paycode"


async def test_bad_input_names_the_field_and_stores_nothing(stack: Stack) -> None:
    services = stack.runtime.mongo.collection("quality_services")
    before = await services.count_documents({})
    cases = [
        (service_body(end_date="2000-01-01"), "end_date"),
        (
            service_body(
                components=[
                    {
                        "component_id": "x",
                        "component_name": "X",
                        "kind": "unit_priced",
                        "unit_price_pence": 1.5,
                    }
                ]
            ),
            "components.0.unit_price_pence",
        ),
        (service_body(financial_year="2025-26"), "financial_year"),
        (service_body(components=[]), "components"),
    ]
    for body, field in cases:
        response = await stack.client.post(f"{API}/quality-services", json=body, headers=commissioner())
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert any(e["field"].startswith(field) for e in response.json()["errors"]), (field, response.json())
    assert await services.count_documents({}) == before


async def test_only_a_commissioner_of_the_owner_may_define(stack: Stack) -> None:
    assert (await stack.client.post(f"{API}/quality-services", json=service_body())).status_code == 401
    for headers in (commissioner("QXX"), manager("A81001")):
        refused = await stack.client.post(f"{API}/quality-services", json=service_body(), headers=headers)
        assert refused.status_code == 403, refused.text
    above = await stack.client.post(
        f"{API}/quality-services", json=service_body(), headers=commissioner("Y56")
    )
    assert above.status_code == 201


async def test_services_are_listed_to_their_commissioner_paged(stack: Stack) -> None:
    await stack.published_service(service_name="Listed A")
    await stack.published_service(service_name="Listed B")
    page = await stack.client.get(
        f"{API}/quality-services",
        params={"search": "Listed", "limit": 1, "published": True},
        headers=commissioner(),
    )
    assert page.status_code == 200
    assert (page.json()["total"], len(page.json()["items"])) == (2, 1)
    other = await stack.client.get(
        f"{API}/quality-services", params={"search": "Listed"}, headers=commissioner("QXX")
    )
    assert other.json()["total"] == 0
