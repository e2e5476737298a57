"""Journeys of CQRS Local's Participation Management: a practice's Service Management user requests
a Quality Service; the commissioner sees the request in Service Requests and reissues the practice's
Rejected offer of it with new dates; the practice gets the task to answer it again and sees the
offer in My Services."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from playwright.sync_api import expect

CHLOE = "chloe.commissioner@demo.cqrs.local"
CARE = "Complex Care Plans"


def _log_out(journey: Any) -> None:
    page = journey.page
    with page.expect_navigation():
        page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    journey.check()


def _open_task(api: Any, headers: dict[str, str], words: str) -> dict[str, Any]:
    """The open task whose title has these words, once it arrived (the Message Centre shows a role's
    tasks whenever they came, so the demo's closed task of the first offer is there too)."""
    found: list[dict[str, Any]] = []

    def arrived() -> bool:
        items = api.through_gateway(
            "GET",
            "/api/notifications/items",
            headers,
            params={"kind": "task", "status": "open", "limit": 100},
        )["items"]
        found[:] = [i for i in items if words in i["title"]]
        return len(found) == 1

    api.eventually(arrived)
    return found[0]


def test_request_a_service_and_reissue_an_offer(journey: Any, api: Any, participation_url: str) -> None:
    page = journey.page
    main = page.locator("#maincontent")
    # E85003's offer of Complex Care Plans was rejected in the demo
    me = api.active_user("Rhea", "Quest", "E85003", "Service Management")

    # The practice requests the service: nothing chosen is refused, then the request is sent
    journey.log_in(me["email"], me["password"])
    journey.click("Participation Management")
    journey.click("My Services")
    expect(main.get_by_role("row").filter(has_text=CARE)).to_contain_text("Rejected")
    journey.click("Request a Service")
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a Service")
    journey.click("Send request")
    expect(page.locator(".nhsuk-error-summary a[href='#quality_service_id']")).to_have_text(
        "Select the Quality Service you wish to request, or enter its ID"
    )
    page.get_by_label("Or enter the Quality Service ID of another service").fill("qs-qrv-no-such-service")
    journey.click("Send request")
    expect(page.locator(".nhsuk-error-summary a[href='#other_service']")).to_contain_text(
        "no published quality service qs-qrv-no-such-service"
    )
    page.get_by_label("Or enter the Quality Service ID of another service").fill("")
    main.get_by_role("radio", name=re.compile(f"^{CARE}")).check()
    page.get_by_label("Note for the Commissioning Organisation (optional)").fill(
        "We now have a care co-ordinator in post."
    )
    journey.screenshot("request-a-service")
    journey.click("Send request")
    expect(page.get_by_text(f"Your request for {CARE} has been sent to QRV.")).to_be_visible()
    request_row = main.get_by_role("row").filter(has_text=CARE).filter(has_text="E85003")
    expect(request_row).to_contain_text("Requested")
    _log_out(journey)

    # The commissioner sees the request, then reissues the Rejected offer with new dates
    journey.log_in(CHLOE)
    journey.click("Participation Management")
    journey.click("Service Requests")
    row = main.get_by_role("row").filter(has_text=CARE).filter(has_text="E85003")
    expect(row).to_contain_text("We now have a care co-ordinator in post.")
    expect(row).to_contain_text("Requested")
    page.goto("/participation/offered-services")
    journey.check()
    journey.click(CARE)
    page.get_by_label("Status", exact=True).select_option("Rejected")
    journey.click("Filter")
    rejected = main.get_by_role("row").filter(has_text="E85003")
    with page.expect_navigation():
        rejected.get_by_role("link", name="Reissue").click()
    journey.check()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Reissue {CARE}")
    page.get_by_label("Response date").fill("")
    journey.click("Reissue offer")
    expect(page.locator(".nhsuk-error-summary a[href='#response_date']")).to_have_text(
        "Enter the response date"
    )
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    page.get_by_label("Response date").fill(yesterday.isoformat())
    journey.click("Reissue offer")
    expect(page.locator(".nhsuk-error-summary a[href='#response_date']")).to_contain_text("in the past")
    response = min(dt.datetime.now(dt.UTC).date() + dt.timedelta(days=14), dt.date(2027, 3, 31))
    page.get_by_label("Service end date").fill("2027-03-31")
    page.get_by_label("Response date").fill(response.isoformat())
    journey.screenshot("reissue")
    journey.click("Reissue offer")
    expect(page.get_by_text(f"You have successfully reissued {CARE} to E85003.")).to_be_visible()
    expect(main.get_by_role("row").filter(has_text="E85003")).to_contain_text("Offered")
    _log_out(journey)

    # The practice gets the task and sees the offer again in My Services
    task = _open_task(api, api.headers(me["email"], me["password"]), "qs-qrv-complex-care")
    journey.log_in(me["email"], me["password"])
    with page.expect_navigation():  # the open task's own link (the closed one has the same title)
        page.locator(f"#message-centre a[href^='/message-centre/{task['item_id']}']").click()
    journey.check()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CARE)
    page.goto("/participation/my-services")
    journey.check()
    expect(main.get_by_role("row").filter(has_text=CARE)).to_contain_text("Offered")
