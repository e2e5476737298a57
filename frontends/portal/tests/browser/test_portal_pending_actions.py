"""Journey: Pending Actions – review a user, approve one registration and reject another with a reason."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def test_review_approve_and_reject_registrations(journey: Any, api: Any) -> None:
    """The User Administrator reviews two registrations from the Pending Actions tile: approves one,
    rejects the other with a reason; identity then shows them Approved and Rejected."""
    approve = api.register("Rhea", "Approve", "E85009", "Local User (single-level)")
    reject = api.register("Rory", "Reject", "E85009", "Local User (single-level)")
    page = journey.page
    journey.log_in("uma.user-admin@demo.cqrs.local")
    journey.click("Pending Actions")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pending Actions")
    journey.click("Date (sorted descending)")
    expect(page).to_have_url(f"{journey.base}/pending-actions?sort=date&order=asc&status=Pending")
    journey.click("Status")
    journey.screenshot("pending-actions")

    journey.click("Review Rhea Approve")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review Rhea Approve")
    page.get_by_label("Approve").check()
    journey.click("Confirm")
    expect(page.get_by_text("Rhea Approve's request has been approved")).to_be_visible()

    journey.click("Review Rory Reject")
    page.get_by_role("radio", name="Reject").check()
    journey.click("Confirm")
    expect(page.locator(".nhsuk-error-summary a[href='#reason']")).to_have_text(
        "Enter a reason for rejecting the request"
    )
    page.get_by_label("If you reject, the reason").fill(
        "A generic mailbox cannot hold an account; register with your own address."
    )
    journey.click("Confirm")
    expect(page.get_by_text("Rory Reject's request has been rejected")).to_be_visible()

    assert api.request_of(approve["email"])["status"] == "Approved"
    assert api.request_of(reject["email"])["status"] == "Rejected"
