"""Journey: forgotten password (ask for a link from the login page, choose a new password from the
emailed link, log in with it; the link works once)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from playwright.sync_api import expect

CHOSEN = "three brand new portal words 9"


def test_forgotten_password_from_login_to_the_emailed_link(journey: Any, api: Any, emailed: Any) -> None:
    """A practice user who forgot their password asks for a link, follows it from the email, chooses
    a new password (mistakes are shown in the error summary) and logs in with it."""
    me = api.active_user("Fern", "Forgetful", "E85001", "Service Management")
    page = journey.page
    page.goto("/login")
    journey.check()
    journey.click("Forgotten your password?")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    journey.click("Send me a link")
    expect(page.locator(".nhsuk-error-summary a[href='#email']")).to_have_text("Enter your email address")
    page.get_by_label("Email address").fill(me["email"])
    journey.click("Send me a link")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.locator("#maincontent")).to_contain_text(me["email"])

    link = urlparse(emailed(me["email"], "Reset your CQRS password"))
    assert link.path == "/reset-password"
    page.goto(f"{link.path}?{link.query}")
    journey.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill(CHOSEN)
    page.get_by_label("Confirm new password").fill(CHOSEN + " typo")
    journey.click("Save password")
    expect(page.locator(".nhsuk-error-summary a[href='#confirm']")).to_have_text("The passwords do not match")
    page.get_by_label("New password", exact=True).fill(CHOSEN)
    page.get_by_label("Confirm new password").fill(CHOSEN)
    journey.screenshot("choose-a-new-password")
    journey.click("Save password")
    expect(page.get_by_text("Your password has been changed. Log in with your new password.")).to_be_visible()

    journey.log_in(me["email"], CHOSEN)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Fern Forgetful")
    refused = api.http.post("/login", json={"email": me["email"], "password": me["password"]})
    assert refused.status_code == 401

    page.goto(f"{link.path}?{link.query}")
    journey.check()
    page.get_by_label("New password", exact=True).fill(CHOSEN + " again")
    page.get_by_label("Confirm new password").fill(CHOSEN + " again")
    journey.click("Save password")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("not valid or was already used")
