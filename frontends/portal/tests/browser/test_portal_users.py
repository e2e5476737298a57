"""Journey: Users – search, view, roles with payment types, clusters, revoke, enable, disable."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def test_manage_a_user_from_the_users_tile(journey: Any, api: Any) -> None:
    """The User Administrator finds a user, gives them a role limited to a payment type, limits them
    to the Harrow cluster, revokes and re-enables their access, then disables the account (Other)."""
    person = api.active_user("Gwen", "Userpage", "E85001", "Local User (single-level)")
    page = journey.page
    journey.log_in("uma.user-admin@demo.cqrs.local")
    journey.click("Users")
    page.get_by_label("Search by name or email").fill("gwen userpage")
    journey.click("Search")
    expect(page.get_by_text("1 user found.")).to_be_visible()
    journey.click("View Gwen Userpage")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gwen Userpage")

    journey.click("Change roles at E85001")
    page.get_by_label("Service Management", exact=True).check()
    page.get_by_label("Payment types for Service Management").fill("QOF")
    journey.click("Submit")
    expect(page.get_by_text("Roles at E85001 have been updated")).to_be_visible()
    expect(page.locator(".nhsuk-card")).to_contain_text("Service Management (QOF)")

    journey.click("Change clusters at E85001")
    expect(page.get_by_text("There are no Provider Clusters defined for this organisation")).to_be_visible()
    page.go_back()
    journey.check()

    journey.click("Revoke access at E85001")
    journey.click("Revoke")
    expect(page.get_by_text("Access at E85001 has been revoked")).to_be_visible()
    expect(page.locator(".nhsuk-card")).to_contain_text("Revoked")
    journey.click("Enable Account at E85001")
    journey.click("Confirm")
    expect(page.get_by_text("Access at E85001 has been given back")).to_be_visible()

    journey.click("Disable Account")
    page.get_by_role("radio", name="Other").check()
    page.get_by_label("If Other, tell us why").fill("x" * 251)
    journey.click("Confirm")
    expect(page.locator(".nhsuk-error-summary a[href='#reason_text']")).to_have_text(
        "Reason must be 250 characters or fewer"
    )
    page.get_by_label("If Other, tell us why").fill("Moved to another ICB's CQRS Local.")
    journey.click("Confirm")
    expect(page.get_by_text("The account has been disabled")).to_be_visible()
    expect(page.locator(".nhsuk-summary-list").first).to_contain_text("Moved to another ICB's CQRS Local.")
    journey.screenshot("user")
    shown = api.http.get(
        f"/users/{person['user_id']}", headers=api.headers("uma.user-admin@demo.cqrs.local")
    ).json()
    assert shown["status"] == "Disabled"
