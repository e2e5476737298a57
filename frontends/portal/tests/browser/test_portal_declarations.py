"""Journeys of Achievement › Declaration Management on the demo achievement: the practice declares
its QOF achievement and payment; the commissioning organisation's Approval Management user gets the
task, filters by status and Quality Service, ticks Select All and approves after a confirmation;
Finance Management gives the finance approval; the practice is told its declaration was approved
for payment."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

SAM = "sam.service-manager@demo.cqrs.local"  # Declaration Management at practice E85001
AARON = "aaron.approver@demo.cqrs.local"  # Approval Management at North West London ICB (QRV)
FIONA = "fiona.finance@demo.cqrs.local"  # Finance Management at QRV
QOF = "qs-qof-2026"
DECLARATION = f"{QOF}:E85001"
AWAITING_PROVIDER = "Awaiting Service Provider Approval"
AWAITING_COMMISSIONER = "Awaiting Commissioning Organisation Approval"
AWAITING_FINANCE = "Awaiting Finance Approval"


def _log_out(journey: Any) -> None:
    page = journey.page
    with page.expect_navigation():
        page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    journey.check()


def _filter(journey: Any, status: str, service: str) -> None:
    journey.page.get_by_label("Status", exact=True).select_option(status)
    journey.page.get_by_label("Quality Service", exact=True).select_option(service)
    journey.click("Filter")


def _declaration_status(api: Any, who: str) -> str:
    found = api.through_gateway("GET", f"/api/claims/declarations/{DECLARATION}", api.headers(who))
    return str(found["status"])


def test_declare_approve_and_finance_approve(journey: Any, api: Any, achievement_demo: str) -> None:
    page = journey.page
    main = page.locator("#maincontent")
    sam = api.headers(SAM)
    api.eventually(
        lambda: any(
            d["declaration_id"] == DECLARATION
            for d in api.through_gateway("GET", "/api/claims/declarations", sam)["items"]
        )
    )

    # The practice declares: nothing ticked is refused, then tick and confirm
    journey.log_in(SAM)
    journey.click("Declaration Management")
    expect(page.get_by_role("heading", level=1)).to_have_text("Declaration Management")
    row = main.get_by_role("row").filter(has_text=QOF).filter(has_text="E85001")
    expect(row).to_contain_text(AWAITING_PROVIDER)
    journey.click("Declare")
    expect(page.locator(".nhsuk-error-summary a[href='#declarations']")).to_have_text(
        "Select the Quality Service declarations you wish to declare"
    )
    with page.expect_navigation():
        row.get_by_role("link", name=QOF).click()
    journey.check()
    expect(page.get_by_role("heading", level=1)).to_contain_text("declaration of E85001")
    expect(main.get_by_role("table").first).to_contain_text("DM012")
    journey.click("Declare")
    expect(page.get_by_role("heading", level=1)).to_have_text("Declare the selected declarations?")
    journey.click("No")
    expect(row).to_contain_text(AWAITING_PROVIDER)
    row.get_by_role("checkbox").check()
    journey.click("Declare")
    journey.click("Yes")
    expect(page.get_by_text("You have successfully declared the achievement and payment")).to_be_visible()
    expect(row).to_contain_text(AWAITING_COMMISSIONER)
    _log_out(journey)

    # The commissioner's Approval Management user: the task, the filters, Select All, Approve
    aaron = api.headers(AARON)
    task = api.message_centre_item(aaron, "task", f"Approve the declaration of E85001 for {QOF}")
    journey.log_in(AARON)
    expect(page.locator("#message-centre").get_by_role("row").filter(has_text=task["title"])).to_be_visible()
    journey.click("Declaration Management")
    _filter(journey, AWAITING_COMMISSIONER, QOF)
    expect(main.get_by_role("row").filter(has_text="E85001")).to_have_count(1)
    expect(main.get_by_role("row").filter(has_text="E85002")).to_have_count(0)
    page.get_by_role("checkbox", name="Select All", exact=False).check()
    journey.click("Approve")
    expect(page.get_by_role("heading", level=1)).to_have_text("Approve the selected declarations?")
    expect(main).to_contain_text(f"{QOF} for E85001")
    journey.screenshot("approve-confirmation")
    journey.click("Yes")
    expect(page.get_by_text("The payment declaration has been successfully approved")).to_be_visible()
    assert _declaration_status(api, AARON) == AWAITING_FINANCE
    _log_out(journey)

    # Finance Management: the finance approval from the task's page
    fiona = api.headers(FIONA)
    task = api.message_centre_item(fiona, "task", f"Finance approve the declaration of E85001 for {QOF}")
    journey.log_in(FIONA)
    journey.click(task["title"])
    expect(page.get_by_role("heading", level=1)).to_contain_text("declaration of E85001")
    journey.click("Approve")
    journey.click("Yes")
    expect(page.get_by_text("The payment declaration has been successfully approved")).to_be_visible()
    _filter(journey, "Approved for Payment", QOF)
    expect(main.get_by_role("row").filter(has_text="E85001")).to_contain_text("Approved for Payment")
    journey.screenshot("declaration-management")
    _log_out(journey)

    # The practice is told
    message = api.message_centre_item(sam, "message", f"Your declaration for {QOF} was approved for payment")
    journey.log_in(SAM)
    expect(
        page.locator("#message-centre").get_by_role("row").filter(has_text=message["title"])
    ).to_be_visible()
    journey.screenshot("provider-told")
