"""Journeys of Participation Management: a commissioner offers a Quality Service in five steps; the
provider sees the task, views the offer's QOF domains and rejects it (and accepts another); the
commissioner gets the message, views Offered Services by status, drills into a provider, withdraws
and cancels offers after a confirmation; the provider is told."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

CHLOE = "chloe.commissioner@demo.cqrs.local"
SAM = "sam.service-manager@demo.cqrs.local"
QOF = "qs-qof-2026"


def _log_out(journey: Any) -> None:
    page = journey.page
    with page.expect_navigation():
        page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    journey.check()


def _filter(journey: Any, label: str, value: str) -> None:
    journey.page.get_by_label(label, exact=True).select_option(value)
    journey.click("Filter")


def test_create_offer_answer_it_and_end_offers(journey: Any, api: Any, participation_url: str) -> None:
    page = journey.page
    main = page.locator("#maincontent")
    journey.log_in(CHLOE)
    journey.click("Participation Management")
    journey.click("Create Offers")

    # Step 1: Select the Quality Service
    expect(page.get_by_role("heading", level=1)).to_have_text("Select the Quality Service")
    expect(page.get_by_role("navigation", name="Steps of the offer")).to_contain_text(
        "1. Select the Quality Service"
    )
    journey.click("Continue")
    expect(page.locator(".nhsuk-error-summary a[href='#quality_service_id']")).to_have_text(
        "Select a Quality Service"
    )
    _filter(journey, "Payment Type", "QOF")
    expect(main.get_by_role("radio")).to_have_count(1)
    main.get_by_role("radio", name=re.compile("Quality and Outcomes Framework")).check()
    journey.click("Continue")

    # Step 2: Define Quality Service Details (the service's own period to start)
    expect(page.get_by_role("heading", level=1)).to_have_text("Define Quality Service Details")
    expect(page.get_by_label("Service start date")).to_have_value("2026-04-01")
    expect(page.get_by_label("Service end date")).to_have_value("2027-03-31")
    page.get_by_label("Service end date").fill("2027-04-30")
    page.get_by_label("Response date").fill("2027-01-29")
    journey.click("Continue")
    expect(page.locator(".nhsuk-error-summary a[href='#service_end']")).to_contain_text("service's end")
    page.get_by_label("Service end date").fill("2027-03-31")
    journey.screenshot("create-offer-step-2")
    journey.click("Continue")

    # Step 3: Choose Service Provider(s)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose Service Provider(s)")
    journey.click("Save & Continue")
    expect(page.locator(".nhsuk-error-summary a[href='#providers']")).to_be_visible()
    main.get_by_role("checkbox", name=re.compile("^E85001 ")).check()
    main.get_by_role("checkbox", name=re.compile("^E85002 ")).check()
    journey.click("Save & Continue")

    # Step 4: Review Offer, back to step 3 and forward again
    expect(page.get_by_role("heading", level=1)).to_have_text("Review Offer")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("E85001, E85002")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("2027-01-29")
    journey.click("<< Back to Select Service Providers")
    expect(main.get_by_role("checkbox", name=re.compile("^E85002 "))).to_be_checked()
    journey.click("Save & Continue")
    journey.click("Submit")

    # Step 5: Confirm Offer
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Offer")
    steps = page.get_by_role("navigation", name="Steps of the offer")
    expect(steps.get_by_role("link", name="4. Review Offer")).to_be_visible()
    journey.screenshot("create-offer-step-5")
    journey.click("Yes")
    expect(main).to_contain_text("has been offered to the selected Service Provider(s)")
    expect(main).to_contain_text("2 offers made: E85001, E85002")
    _log_out(journey)

    # The provider's task, its Task Summary link, the offer's QOF domains
    sam = api.headers(SAM)
    task = api.message_centre_item(sam, "task", f"Review the offer of Quality Service {QOF}")
    journey.log_in(SAM)
    journey.click(task["title"])
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quality and Outcomes Framework")
    for domain in ("Clinical", "Organisational", "Patient Experience", "Additional Services"):
        expect(main.locator("summary").filter(has_text=domain)).to_have_count(1)
    main.locator("summary").filter(has_text="Clinical").click()
    expect(main.get_by_role("table").first).to_be_visible()
    journey.screenshot("offer-details")
    journey.click("Back to Select a Quality Service")

    # My Services: reject the QOF offer with a reason; accept the demo Complex Care Plans offer
    expect(page.get_by_role("heading", level=1)).to_have_text("My Services")
    qof_row = main.get_by_role("row").filter(has_text="Quality and Outcomes Framework")
    qof_row.get_by_role("checkbox").check()
    journey.click("Reject Service")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reject the selected Quality Service?")
    page.get_by_label("Reason (optional)").fill("We do not have the capacity this year.")
    journey.click("Yes")
    expect(page.get_by_text("You have successfully rejected the Quality Service")).to_be_visible()
    expect(qof_row).to_contain_text("Rejected")
    care = main.get_by_role("row").filter(has_text="Complex Care Plans").filter(has_text="Offered")
    care.get_by_role("checkbox").check()
    journey.click("Accept Service")
    journey.click("Yes")
    expect(page.get_by_text("You have successfully accepted the Quality Service")).to_be_visible()
    expect(main.get_by_role("row").filter(has_text="Complex Care Plans").first).to_contain_text("Approved")
    _log_out(journey)

    # The commissioner's message, then Offered Services by status; withdraw and cancel
    message = api.message_centre_item(api.headers(CHLOE), "message", f"E85001 rejected the offer of {QOF}")
    journey.log_in(CHLOE)
    expect(
        page.locator("#message-centre").get_by_role("row").filter(has_text=message["title"])
    ).to_be_visible()
    journey.click("Participation Management")
    journey.click("Offered Services")
    expect(page.get_by_label("Financial Year")).to_have_value("2026/27")
    row = main.get_by_role("row").filter(has_text="Quality and Outcomes Framework")
    expect(row).to_contain_text("QOF")
    journey.click("Quality and Outcomes Framework 2026/27")
    expect(page.get_by_role("heading", name="Associated Service Providers")).to_be_visible()
    _filter(journey, "Status", "Offered")
    expect(main.get_by_role("row").filter(has_text="E85001")).to_have_count(0)
    main.get_by_role("row").filter(has_text="E85002").get_by_role("checkbox").check()
    journey.click("Withdraw Service")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Withdraw")
    journey.click("Yes")
    expect(
        page.get_by_text("You have successfully withdrawn the Quality Service for E85002.")
    ).to_be_visible()
    expect(main.get_by_role("row").filter(has_text="E85002")).to_contain_text("withdrawn")

    _filter(journey, "Status", "Rejected")
    rejected = main.get_by_role("row").filter(has_text="E85001")
    expect(rejected).to_contain_text("We do not have the capacity this year.")
    rejected.get_by_role("checkbox").check()
    journey.click("Cancel Service")
    journey.screenshot("cancel-confirmation")
    journey.click("Yes")
    expect(
        page.get_by_text("You have successfully cancelled the Quality Service for E85001.")
    ).to_be_visible()

    # Drill into the provider: every service offered to it
    with page.expect_navigation():
        main.get_by_role("row").filter(has_text="E85001").get_by_role("link").first.click()
    journey.check()
    expect(page.get_by_role("heading", level=1)).to_contain_text("E85001")
    expect(main.get_by_role("row").filter(has_text="Quality and Outcomes Framework")).to_contain_text(
        "Cancelled"
    )
    expect(main.get_by_role("row").filter(has_text="Complex Care Plans")).to_contain_text("Approved")
    _filter(journey, "Status", "Approved")
    expect(main.get_by_role("row").filter(has_text="Quality and Outcomes Framework")).to_have_count(0)

    # The provider is told of the cancellation
    api.message_centre_item(sam, "message", f"Quality Service {QOF} was cancelled")
