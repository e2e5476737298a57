"""Journey: "Offer this service" from a Service Request (CQRS Local). A practice asks for Complex
Care Plans (its offer was withdrawn in the demo); the commissioner opens Service Requests, offers the
service from the request through the Create Offers steps, and the request shows Offered on both
sides; the practice gets the task to answer the offer."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from playwright.sync_api import expect

CHLOE = "chloe.commissioner@demo.cqrs.local"
CARE = "Complex Care Plans"
PROVIDER = "E85005"  # its demo offer of Complex Care Plans was withdrawn
SERVICE = "qs-qrv-complex-care"


def _log_out(journey: Any) -> None:
    page = journey.page
    with page.expect_navigation():
        page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    journey.check()


def test_offer_this_service_answers_the_request(journey: Any, api: Any, participation_url: str) -> None:
    page = journey.page
    main = page.locator("#maincontent")
    me = api.active_user("Reza", "Asker", PROVIDER, "Service Management")
    mine = api.headers(me["email"], me["password"])
    api.through_gateway(
        "POST",
        "/api/participation/service-requests",
        mine,
        {
            "provider_organisation_id": PROVIDER,
            "quality_service_id": SERVICE,
            "note": "Please",
        },
    )

    journey.log_in(CHLOE)
    journey.click("Participation Management")
    journey.click("Service Requests")
    row = main.get_by_role("row").filter(has_text=CARE).filter(has_text=PROVIDER)
    expect(row).to_contain_text("Requested")
    journey.click(f"Offer this service to {PROVIDER}")

    # The Create Offers steps, from step 2 with the requested service chosen
    expect(page.get_by_role("heading", level=1)).to_have_text("Define Quality Service Details")
    expect(main).to_contain_text(f"choose {PROVIDER} in step 3")
    expect(main).to_contain_text(CARE)
    response = min(dt.datetime.now(dt.UTC).date() + dt.timedelta(days=14), dt.date(2027, 3, 31))
    page.get_by_label("Response date").fill(response.isoformat())
    journey.click("Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose Service Provider(s)")
    main.get_by_role("checkbox", name=re.compile(f"^{PROVIDER} ")).check()
    journey.click("Save & Continue")
    journey.click("Submit")
    journey.click("Yes")
    expect(main).to_contain_text(f"1 offer made: {PROVIDER}")

    journey.click("Service Requests")
    expect(main.get_by_role("row").filter(has_text=CARE).filter(has_text=PROVIDER)).to_contain_text("Offered")
    expect(main.get_by_role("button", name=f"Offer this service to {PROVIDER}")).to_have_count(0)
    journey.screenshot("request-offered")
    _log_out(journey)

    # The practice: the request is answered, and the task to answer the offer is there
    def task_arrived() -> bool:  # the open task (the demo's closed one of the first offer has the same title)
        items = api.through_gateway(
            "GET", "/api/notifications/items", mine, params={"kind": "task", "status": "open", "limit": 100}
        )["items"]
        return any(SERVICE in i["title"] for i in items)

    api.eventually(task_arrived)
    journey.log_in(me["email"], me["password"])
    journey.click("Participation Management")
    journey.click("Service Requests")
    expect(main.get_by_role("row").filter(has_text=CARE)).to_contain_text("Offered")
