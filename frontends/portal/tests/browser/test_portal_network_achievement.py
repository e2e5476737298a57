"""Journeys of a PCN's nominated person on the demo achievement: Data submission › Network
achievement (financial year, service, latest achievement date) with the chart of points by practice
drawn on the server, also without JavaScript; then the PCN's declaration of the Network Contract
DES, which reaches the commissioning organisation's Approval Management user as a task."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, expect

NINA = "nina.nominated@demo.cqrs.local"  # PCN Organisation and Declaration Management at U10001
AARON = "aaron.approver@demo.cqrs.local"
NCD = "qs-ncd-2026"
YEAR = "2026/27"
#: U10001's practices on the demo's achievement dates (E85004 moved to U10002 in April 2024).
MEMBERS = ("E85001", "E85002", "E85003", "E85005", "E85006", "E85007")


def _network(journey: Any) -> None:
    page = journey.page
    journey.click("Network achievement")
    expect(page.get_by_role("heading", level=1)).to_have_text("Network achievement")
    page.get_by_label("Financial year").select_option(YEAR)
    journey.click("Show achievement")
    expect(page.locator(".nhsuk-error-summary a[href='#quality_service_id']")).to_be_visible()
    page.get_by_label("Service", exact=True).select_option(NCD)
    journey.click("Show achievement")


def test_network_achievement_chart_and_the_pcns_declaration(
    journey: Any, api: Any, achievement_demo: str
) -> None:
    page = journey.page
    main = page.locator("#maincontent")
    nina = api.headers(NINA)
    declaration = f"{NCD}:U10001"
    api.eventually(
        lambda: any(
            d["declaration_id"] == declaration
            for d in api.through_gateway("GET", "/api/claims/declarations", nina)["items"]
        )
    )
    journey.log_in(NINA)
    _network(journey)

    # The PCN's practices on the latest achievement date: a chart and the same figures as a table
    expect(page.get_by_label("Primary Care Network")).to_have_value("U10001")
    chart = page.get_by_role("img", name=re.compile("Points by practice"))
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(len(MEMBERS))
    table = main.get_by_role("table").filter(has_text="Achievement by practice")
    expect(table.get_by_role("row")).to_have_count(1 + len(MEMBERS))  # the header and each practice
    for practice in MEMBERS:
        expect(table).to_contain_text(practice)
    expect(table).not_to_contain_text("E85004")
    expect(table).not_to_contain_text("E85008")
    dates = page.get_by_label("Latest achievement date")
    latest = dates.input_value()
    expect(main.get_by_role("heading", level=2)).to_contain_text(f"U10001: {NCD} on {latest}")
    journey.screenshot("network-achievement")
    earlier = [o for o in dates.locator("option").all_inner_texts() if o != latest]
    assert earlier, "the demo has two achievement dates"
    dates.select_option(earlier[0])
    journey.click("Show achievement")
    expect(main.get_by_role("heading", level=2)).to_contain_text(f"on {earlier[0]}")

    # The nominated person declares for the PCN
    journey.page.goto("/")
    journey.check()
    journey.click("Declaration Management")
    row = main.get_by_role("row").filter(has_text=NCD).filter(has_text="U10001")
    expect(row).to_contain_text("(PCN)")
    expect(row).to_contain_text("Awaiting Service Provider Approval")
    row.get_by_role("checkbox").check()
    journey.click("Declare")
    expect(main).to_contain_text("Are you sure you want to declare this achievement and payment?")
    journey.click("Yes")
    expect(page.get_by_text("You have successfully declared the achievement and payment")).to_be_visible()
    expect(row).to_contain_text("Awaiting Commissioning Organisation Approval")
    journey.screenshot("nominated-person-declared")

    # The commissioning organisation is asked to approve it
    api.message_centre_item(api.headers(AARON), "task", f"Approve the declaration of U10001 for {NCD}")


def test_network_achievement_without_javascript(
    browser: Browser, portal_url: str, achievement_demo: str, output_path: str
) -> None:
    """The filters and the chart need no JavaScript (the chart is SVG drawn by the server)."""
    context = browser.new_context(java_script_enabled=False, base_url=portal_url)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email address").fill(NINA)
        page.get_by_label("Password", exact=True).fill("CQRS-demo-2025!")
        page.get_by_role("button", name="Log in").click()
        page.locator("#maincontent").get_by_role("link", name="Network achievement").click()
        page.get_by_label("Service", exact=True).select_option(NCD)
        page.get_by_role("button", name="Show achievement").click()
        chart = page.get_by_role("img", name=re.compile("Points by practice"))
        expect(chart.locator("rect")).to_have_count(len(MEMBERS))
        Path(output_path).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{output_path}/network-achievement-without-javascript.png", full_page=True)
    finally:
        context.close()
