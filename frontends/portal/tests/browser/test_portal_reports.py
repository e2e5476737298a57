"""Journey: Reports › Administrative › Network organisation relationship, with its CSV."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def test_network_organisation_relationship_report_and_csv(journey: Any) -> None:
    """An ICB user runs the report for a period, filters to a practice that moved PCN to see both of
    its relationships, and downloads the CSV."""
    page = journey.page
    journey.log_in("chloe.commissioner@demo.cqrs.local")
    journey.click("Reports")
    journey.click("Administrative")
    journey.click("Network organisation relationship")
    journey.click("Run report")
    expect(page.locator(".nhsuk-error-summary a[href='#start-day']")).to_have_text("Enter the start date")

    for field, (day, month, year) in {"start": ("1", "1", "2024"), "end": ("31", "12", "2024")}.items():
        group = page.get_by_role("group", name=f"{field.capitalize()} date")
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    page.get_by_label("PCN or practice").select_option("practice:E85004")
    journey.click("Run report")
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("table")).to_contain_text("U10001")
    expect(page.get_by_role("table")).to_contain_text("U10002")
    journey.screenshot("network-organisation-relationship")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = download.value.path().read_text()
    assert text.splitlines()[0].startswith("pcn_ods_code,pcn_name,practice_ods_code")
    assert len(text.splitlines()) == 3
