"""Who sees what: never another organisation's items, per grant (a cluster-limited grant does not
borrow another membership's reach), Supervisors see open tasks; read marks, unread count, paging."""

from __future__ import annotations

from cqrs_kit.testing import cluster, offer_made, seed_directory

from .conftest import Centre


async def test_a_user_never_sees_another_organisations_items(centre: Centre) -> None:
    here = await centre.user(("Service Management", centre.orgs["P1"]))
    there = await centre.user(("Service Management", centre.orgs["Q1"]))
    icb_wide = await centre.user(("Service Management", centre.orgs["ICB"]))  # above P1, not Q1
    await centre.deliver(offer_made(provider_organisation_id=centre.orgs["P1"]))
    assert (await centre.items(here))["total"] == 1
    assert (await centre.items(there))["total"] == 0
    assert (await centre.items(icb_wide))["total"] == 1
    assert (await centre.items(here, organisation=centre.orgs["Q1"]))["total"] == 0
    [item] = (await centre.items(here))["items"]
    refused = await centre.client.post(
        f"/api/notifications/items/{item['item_id']}/read", headers=there.headers
    )
    assert refused.status_code == 404
    anonymous = await centre.client.get("/api/notifications/items")
    assert anonymous.status_code == 401


async def test_grants_are_judged_one_by_one(centre: Centre) -> None:
    await seed_directory(
        centre.runtime.directory, [cluster("CL-P2", centre.orgs["ICB"], [centre.orgs["P2"]])]
    )
    centre.runtime.directory.forget()
    # Service Management limited to a cluster holding P2, and View (unlimited) over the ICB
    limited = await centre.user(
        ("Service Management", centre.orgs["ICB"]), ("View", centre.orgs["ICB2"]), clusters=("CL-P2",)
    )
    await centre.deliver(offer_made(provider_organisation_id=centre.orgs["P1"]))
    await centre.deliver(offer_made(provider_organisation_id=centre.orgs["P2"]))
    page = await centre.items(limited)
    assert [i["organisation"] for i in page["items"]] == [centre.orgs["P2"]]


async def test_supervisor_sees_open_tasks_of_their_organisation(centre: Centre) -> None:
    supervisor = await centre.user(("Supervisor", centre.orgs["ICB"]))
    await centre.deliver(offer_made(provider_organisation_id=centre.orgs["P3"]))
    await centre.deliver(offer_made(provider_organisation_id=centre.orgs["Q1"]))
    page = await centre.items(supervisor)
    assert [(i["kind"], i["organisation"]) for i in page["items"]] == [("task", centre.orgs["P3"])]


async def test_read_marks_unread_count_filters_and_paging(centre: Centre) -> None:
    manager = await centre.user(("Service Management", centre.orgs["P1"]))
    offers = [offer_made(provider_organisation_id=centre.orgs["P1"]) for _ in range(5)]
    for offer in offers:
        await centre.deliver(offer)
    count = await centre.client.get("/api/notifications/items/unread-count", headers=manager.headers)
    assert count.json() == {"tasks": 5, "messages": 0, "total": 5}

    first = await centre.items(manager, limit=2, page=1)
    third = await centre.items(manager, limit=2, page=3)
    assert (first["total"], len(first["items"]), len(third["items"])) == (5, 2, 1)
    assert [i["subject_id"] for i in first["items"]] == [offers[4].offer_id, offers[3].offer_id]

    item_id = first["items"][0]["item_id"]
    for _ in range(2):  # marking twice is the same as once
        marked = await centre.client.post(f"/api/notifications/items/{item_id}/read", headers=manager.headers)
        assert marked.status_code == 204
    count = await centre.client.get("/api/notifications/items/unread-count", headers=manager.headers)
    assert count.json()["total"] == 4
    assert [i["item_id"] for i in (await centre.items(manager, read=True))["items"]] == [item_id]
    assert (await centre.items(manager, read=False))["total"] == 4
    assert (await centre.items(manager, kind="message"))["total"] == 0

    refused = await centre.client.get(
        "/api/notifications/items", params={"limit": 0}, headers=manager.headers
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "query.limit"
