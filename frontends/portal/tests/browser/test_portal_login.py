"""Journey: log in and out ("Log into CQRS Local" starts every guide)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def test_log_in_see_the_home_page_tiles_and_log_out(journey: Any) -> None:
    """A User Administrator logs in, sees the menu tiles of their roles, and logs out; a wrong
    password is refused with an error summary linking to the field."""
    page = journey.page
    page.goto("/")
    journey.check()
    expect(page).to_have_url(f"{journey.base}/login?next=/")

    page.get_by_label("Email address").fill("uma.user-admin@demo.cqrs.local")
    page.get_by_label("Password", exact=True).fill("not the password")
    journey.click("Log in")
    expect(page.get_by_role("alert")).to_contain_text("The email address or password is not right")
    expect(page.locator(".nhsuk-error-summary a[href='#email']")).to_be_visible()

    page.get_by_label("Password", exact=True).fill("CQRS-demo-2025!")
    journey.click("Log in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Uma Usman")
    for tile in ("Pending Actions", "Users", "Invite", "Reports", "My Profile"):
        expect(page.get_by_role("link", name=tile, exact=True).first).to_be_visible()
    expect(page.get_by_role("link", name="Service Provider Clusters")).to_have_count(0)
    journey.screenshot("home")

    with page.expect_navigation():
        page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    journey.check()
    expect(page.get_by_text("You have logged out")).to_be_visible()
    page.goto("/profile")
    journey.check()
    expect(page).to_have_url(f"{journey.base}/login?next=/profile")
