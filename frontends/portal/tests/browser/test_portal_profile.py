"""Journeys: My Profile, notification preferences, and a user disabling their own account."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def test_my_profile_preferences_and_disabling_my_own_account(journey: Any, api: Any) -> None:
    """A practice user sees their organisation and role, turns off task emails, then disables their
    own account with the reason Other; they are logged out and cannot log in again."""
    me = api.active_user("Dora", "Quill", "E85007", "Service Management")
    page = journey.page
    journey.log_in(me["email"], me["password"])
    journey.click("My Profile")
    expect(page.get_by_role("heading", level=1)).to_have_text("My Profile")
    expect(page.get_by_role("table")).to_contain_text("E85007")
    expect(page.get_by_role("table")).to_contain_text("Service Management")

    journey.click("Change notification preferences")
    page.get_by_label("Email me when I have a new task").uncheck()
    journey.click("Save preferences")
    expect(page.get_by_text("Your notification preferences have been saved")).to_be_visible()
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Tasks: No")
    assert api.http.get(
        "/users/me/notification-preferences", headers=api.headers(me["email"], me["password"])
    ).json() == {
        "task_emails": False,
        "message_emails": True,
        "daily_digest": False,
    }

    # Notification preferences: the daily digest instead of an email per task or message
    journey.click("Change notification preferences")
    expect(page.get_by_role("radio", name="Immediately")).to_be_checked()
    page.get_by_role("radio", name="Daily digest").check()
    journey.click("Save preferences")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("How often: Daily digest")
    assert api.http.get(
        "/users/me/notification-preferences", headers=api.headers(me["email"], me["password"])
    ).json() == {"task_emails": False, "message_emails": True, "daily_digest": True}
    journey.click("Change notification preferences")
    expect(page.get_by_role("radio", name="Daily digest")).to_be_checked()
    expect(page.get_by_label("Email me when I have a new task")).not_to_be_checked()
    journey.screenshot("notification-preferences")
    journey.click("Save preferences")  # saving again keeps the digest (the form sends it back)
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("How often: Daily digest")

    journey.click("Disable my account")
    journey.click("Confirm")
    expect(page.locator(".nhsuk-error-summary a[href='#reason']")).to_have_text(
        "Select a reason for disabling the account"
    )
    page.get_by_role("radio", name="Other").check()
    journey.click("Confirm")
    expect(page.locator(".nhsuk-error-summary a[href='#reason_text']")).to_be_visible()
    page.get_by_label("If Other, tell us why").fill("I am moving to a role that does not need CQRS.")
    journey.screenshot("disable-own-account")
    journey.click("Confirm")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your account has been disabled")

    page.goto("/login")
    journey.check()
    page.get_by_label("Email address").fill(me["email"])
    page.get_by_label("Password", exact=True).fill(me["password"])
    journey.click("Log in")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("disabled")
