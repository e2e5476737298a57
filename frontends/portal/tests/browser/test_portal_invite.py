"""Journey: invite a new user – email, name, organisation, role, check and Send."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect


def test_invite_a_new_user_step_by_step(journey: Any, api: Any) -> None:
    """The User Administrator invites a person in the guide's five steps and sees the confirmation;
    the person is not a user of the organisation until they complete registration."""
    email = f"ivan.invite-{uuid.uuid4().hex[:6]}@test.cqrs.local"
    page = journey.page
    journey.log_in("uma.user-admin@demo.cqrs.local")
    journey.click("Invite")
    journey.click("Continue")
    expect(page.locator(".nhsuk-error-summary a[href='#email']")).to_be_visible()
    page.get_by_label("What is the user's email address?").fill(email)
    journey.click("Continue")
    page.get_by_label("First name").fill("Ivan")
    page.get_by_label("Last name").fill("Invite")
    journey.click("Next")
    page.get_by_label("Which organisation do you want to invite them to?").select_option("E85010")
    journey.click("Next")
    page.get_by_label("Local User (multi-level)").check()
    journey.click("Next")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text(email)
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("E85010")
    journey.screenshot("invite-check")
    journey.click("Send")
    expect(page.get_by_text(f"An invitation has been sent to {email}")).to_be_visible()

    uma = api.headers("uma.user-admin@demo.cqrs.local")
    # As the guide says, an invited person appears under Users once they complete registration
    # from the emailed link; until then an invitation gives no access and lists nobody.
    page_of_users = api.http.get("/users", params={"q": email}, headers=uma).json()
    assert [u for u in page_of_users["items"] if u["email"] == email] == []
