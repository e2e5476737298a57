"""Journey: Service Provider Clusters – create (search, select all, summary, Yes), then add and
remove organisations and Submit."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect


def test_create_a_cluster_then_add_and_remove_organisations(journey: Any, api: Any) -> None:
    """The Organisation Administrator creates a cluster of the Harrow South practices found by
    searching, then adds one organisation, removes another and submits."""
    name = f"Harrow South {uuid.uuid4().hex[:6]}"
    page = journey.page
    journey.log_in("omar.org-admin@demo.cqrs.local")
    journey.click("Service Provider Clusters")
    journey.click("Add New Cluster")
    page.get_by_label("Search by organisation ID or name").fill("U10002")
    journey.click("Search")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Description").fill("The Harrow South PCN")
    page.get_by_label("Select all 1 organisations shown").check()
    journey.click("Continue")
    expect(page.get_by_role("table")).to_contain_text("U10002")
    page.get_by_label("Yes").check()
    journey.click("Confirm")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Service Provider Cluster created")
    journey.click("View Service Provider Clusters")
    short_name = page.get_by_role("row").filter(has_text=name).get_by_role("link").inner_text()

    journey.click(short_name)
    journey.click("Add Organisation")
    page.get_by_label("Search by organisation ID or name").fill("E85012")
    journey.click("Search")
    page.get_by_label("E85012").check()
    journey.click("Continue")
    expect(page.get_by_role("table")).to_contain_text("To be added")
    journey.click("Remove Organisation U10002")
    journey.screenshot("cluster")
    journey.click("Submit")
    expect(page.get_by_text("The cluster was updated successfully")).to_be_visible()

    listed = api.http.get(
        "/clusters", params={"organisation": "QRV"}, headers=api.headers("omar.org-admin@demo.cqrs.local")
    )
    (cluster,) = [c for c in listed.json()["clusters"] if c["name"] == name]
    assert cluster["organisations"] == ["E85012"]
