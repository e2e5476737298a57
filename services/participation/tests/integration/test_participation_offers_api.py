"""The offer journey on the real stack: five steps, OfferMade per provider, the state table over
HTTP, one live offer per provider, withdraw/cancel many, reissue, views and scope."""

from __future__ import annotations

import asyncio

from cqrs_contracts import topics
from cqrs_contracts.events import OfferAccepted, OfferMade

from .conftest import API, CLUSTER_ID, Stack, commissioner, events_for, manager


async def test_confirm_makes_one_offer_made_per_provider(stack: Stack) -> None:
    service_id = await stack.published_service()
    confirmed = await stack.offer(service_id, ["A81001", "U11111"])
    assert (confirmed["offers_made"], confirmed["refused"]) == (2, {})
    for offer_id in confirmed["draft"]["offer_ids"]:
        (made,) = await events_for(topics.PARTICIPATION_OFFER, offer_id, lambda es: len(es) >= 1)
        assert isinstance(made, OfferMade)
        assert (made.quality_service_id, made.quality_service_version) == (service_id, 1)
    offers = await stack.offers_of(service_id)
    assert {p: o["status"] for p, o in offers.items()} == {"A81001": "Offered", "U11111": "Offered"}


async def test_a_second_live_offer_is_refused(stack: Stack) -> None:
    service_id = await stack.published_service()
    await stack.offer(service_id, ["A81002"])
    again = await stack.offer(service_id, ["A81002", "A81003"])
    assert again["offers_made"] == 1
    assert "A81002" in again["refused"]
    assert (
        len(await stack.runtime.mongo.collection("offers").find({"quality_service_id": service_id}).to_list())
        == 2
    )


async def test_concurrent_confirmations_make_one_live_offer(stack: Stack) -> None:
    service_id = await stack.published_service()
    results = await asyncio.gather(*(stack.offer(service_id, ["A81003"]) for _ in range(3)))
    assert sorted(r["offers_made"] for r in results) == [0, 0, 1]


async def test_accept_reject_and_the_state_table_over_http(stack: Stack) -> None:
    service_id = await stack.published_service()
    await stack.offer(service_id, ["A81001", "A81002"])
    offers = await stack.offers_of(service_id)
    first, second = offers["A81001"]["offer_id"], offers["A81002"]["offer_id"]
    assert (
        await stack.client.post(f"{API}/offers/{first}/accept", headers=manager("A81002"))
    ).status_code == 403
    accepted = await stack.client.post(f"{API}/offers/{first}/accept", headers=manager("A81001"))
    assert accepted.json()["status"] == "Approved"
    events = await events_for(topics.PARTICIPATION_OFFER, first, lambda es: len(es) >= 2)
    assert isinstance(events[-1], OfferAccepted)
    rejected = await stack.client.post(
        f"{API}/offers/{second}/reject", json={"reason": "No capacity"}, headers=manager("A81002")
    )
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("Rejected", "No capacity")
    again = await stack.client.post(f"{API}/offers/{second}/accept", headers=manager("A81002"))
    assert again.status_code == 409
    assert "reissue" in again.json()["detail"]


async def test_withdraw_and_cancel_many_give_a_result_per_provider(stack: Stack) -> None:
    service_id = await stack.published_service()
    await stack.offer(service_id, ["A81001", "A81002"])
    offers = await stack.offers_of(service_id)
    await stack.client.post(f"{API}/offers/{offers['A81001']['offer_id']}/accept", headers=manager("A81001"))
    body = {"provider_organisation_ids": ["A81001", "A81002", "A81003"]}
    cancelled = await stack.client.post(
        f"{API}/offered-services/{service_id}/cancel", json=body, headers=commissioner()
    )
    results = {r["provider_organisation_id"]: r for r in cancelled.json()}
    assert results["A81001"]["outcome"] == "cancelled"
    assert results["A81002"]["outcome"] == "refused"
    assert results["A81002"]["message"] == "Offered services cannot be cancelled but may be withdrawn"
    assert results["A81003"]["outcome"] == "not_found"
    withdrawn = await stack.client.post(
        f"{API}/offered-services/{service_id}/withdraw", json=body, headers=commissioner()
    )
    assert {r["provider_organisation_id"]: r["outcome"] for r in withdrawn.json()} == {
        "A81001": "refused",
        "A81002": "withdrawn",
        "A81003": "not_found",
    }
    after = await stack.offers_of(service_id)
    assert {p: (o["status"], o["ended_by"]) for p, o in after.items()} == {
        "A81001": ("Cancelled", "cancelled"),
        "A81002": ("Cancelled", "withdrawn"),
    }
    cancelled_list = await stack.client.get(
        f"{API}/offered-services/{service_id}/providers",
        params={"status": "Cancelled"},
        headers=commissioner(),
    )
    assert cancelled_list.json()["total"] == 2


async def test_reissue_offers_again_and_takes_the_live_slot(stack: Stack) -> None:
    service_id = await stack.published_service()
    await stack.offer(service_id, ["A81001"])
    offer_id = (await stack.offers_of(service_id))["A81001"]["offer_id"]
    await stack.client.post(f"{API}/offers/{offer_id}/reject", json={}, headers=manager("A81001"))
    details = (await stack.client.get(f"{API}/offers/{offer_id}", headers=commissioner())).json()["offer"]
    dates = {k: details[k] for k in ("service_start", "service_end", "response_date")}
    another = await stack.offer(service_id, ["A81001"])  # Rejected is not live: a new offer is allowed
    assert another["offers_made"] == 1
    refused = await stack.client.post(f"{API}/offers/{offer_id}/reissue", json=dates, headers=commissioner())
    assert refused.status_code == 409
    assert "live offer" in refused.json()["detail"]


async def test_cluster_limited_commissioner_reaches_only_the_cluster(stack: Stack) -> None:
    service_id = await stack.published_service()
    limited = commissioner(cluster_ids=[CLUSTER_ID])
    draft = await stack.client.post(
        f"{API}/offer-drafts",
        json={"commissioner_organisation_id": "QWE", "quality_service_id": service_id},
        headers=limited,
    )
    url = f"{API}/offer-drafts/{draft.json()['draft_id']}"
    dates = (await stack.client.get(f"{url}/details", headers=limited)).json()
    await stack.client.put(f"{url}/details", json=dates, headers=limited)
    candidates = await stack.client.get(f"{url}/providers", headers=limited)
    assert {c["ods_code"] for c in candidates.json()["items"]} == {"U11111", "A81001"}
    outside = await stack.client.put(
        f"{url}/providers", json={"provider_organisation_ids": ["A81002"]}, headers=limited
    )
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["field"] == "provider_organisation_ids.0"
    await stack.offer(service_id, ["A81002"])
    withdraw = await stack.client.post(
        f"{API}/offered-services/{service_id}/withdraw",
        json={"provider_organisation_ids": ["A81002"]},
        headers=limited,
    )
    (result,) = withdraw.json()
    assert result["outcome"] == "refused"
    assert "Clusters" in result["message"]


async def test_views_my_services_and_offer_details(stack: Stack) -> None:
    service_id = await stack.published_service(service_name="Viewable Service")
    await stack.offer(service_id, ["A81001", "A81002"])
    summary = await stack.client.get(
        f"{API}/offered-services", params={"search": "Viewable"}, headers=commissioner()
    )
    (row,) = summary.json()["items"]
    assert (row["providers"], row["by_status"]["Offered"]) == (2, 2)
    mine = await stack.client.get(
        f"{API}/my-services", params={"search": "Viewable"}, headers=manager("A81001")
    )
    assert [o["provider_organisation_id"] for o in mine.json()["items"]] == ["A81001"]
    offer_id = mine.json()["items"][0]["offer_id"]
    details = await stack.client.get(f"{API}/offers/{offer_id}", headers=manager("A81001"))
    assert details.json()["service"]["components"][0]["unit_price_pence"] == 19342
    assert (await stack.client.get(f"{API}/offers/{offer_id}", headers=manager("A81002"))).status_code == 404
    drill = await stack.client.get(
        f"{API}/providers/A81001/offers", params={"status": "Offered"}, headers=commissioner()
    )
    assert service_id in {o["quality_service_id"] for o in drill.json()["items"]}


async def test_offer_dates_outside_the_service_are_refused_naming_the_field(stack: Stack) -> None:
    service_id = await stack.published_service()
    headers = commissioner()
    draft = await stack.client.post(
        f"{API}/offer-drafts",
        json={"commissioner_organisation_id": "QWE", "quality_service_id": service_id},
        headers=headers,
    )
    url = f"{API}/offer-drafts/{draft.json()['draft_id']}"
    dates = (await stack.client.get(f"{url}/details", headers=headers)).json()
    late = {**dates, "service_end": "2099-01-01"}
    refused = await stack.client.put(f"{url}/details", json=late, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "service_end"
    saved = (await stack.client.get(url, headers=headers)).json()
    assert (saved["dates"], saved["step"]) == (None, 1)


async def test_provider_requests_a_service(stack: Stack) -> None:
    service_id = await stack.published_service()
    made = await stack.client.post(
        f"{API}/service-requests",
        json={"provider_organisation_id": "A81003", "quality_service_id": service_id, "note": "Please"},
        headers=manager("A81003"),
    )
    assert made.status_code == 201, made.text
    listed = await stack.client.get(
        f"{API}/service-requests", params={"status": "Requested"}, headers=commissioner()
    )
    assert made.json()["request_id"] in {r["request_id"] for r in listed.json()["items"]}
