"""Journey: Allocated Reports – pick a descendant, allocate Quality Services, remove them."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def test_allocate_and_remove_quality_services_for_a_descendant(journey: Any, api: Any) -> None:
    """The Organisation Administrator allocates QOF 2025/26 (filtered by financial year and payment
    type, Select All) and a new service by id to a PCN, then unticks one and submits."""
    page = journey.page
    journey.log_in("omar.org-admin@demo.cqrs.local")
    journey.click("Allocated Reports")
    page.get_by_label("Search by organisation ID or name").fill("F")
    journey.click("Search")
    page.get_by_label("Search by organisation ID or name").fill("U10002")
    journey.click("Search")
    journey.click("U10002")
    page.get_by_label("Financial Year", exact=True).select_option("2025/26")
    page.get_by_label("Payment Type", exact=True).select_option("QOF")
    journey.click("Filter")
    page.get_by_label("Select All").check()
    page.get_by_label("Quality Service ID").fill("qs-les-flu-2025")
    page.get_by_label("Financial year", exact=True).fill("2025/26")
    page.get_by_label("Payment type", exact=True).fill("LES")
    journey.click("Submit")
    expect(page.get_by_text("The allocations have been saved")).to_be_visible()

    headers = api.headers("omar.org-admin@demo.cqrs.local")

    def allocated() -> set[str]:
        found = api.http.get(
            "/allocated-reports", params={"organisation": "QRV", "descendant": "U10002"}, headers=headers
        )
        return {s["quality_service_id"] for a in found.json() for s in a["services"]}

    assert allocated() == {"qs-qof-2025", "qs-les-flu-2025"}
    journey.page.goto("/allocated-reports/U10002")
    journey.check()
    page.get_by_label("qs-les-flu-2025").uncheck()
    journey.screenshot("allocated-reports")
    journey.click("Submit")
    expect(page.get_by_text("The allocations have been saved")).to_be_visible()
    assert allocated() == {"qs-qof-2025"}
