"""Journey: "Confirm that you wish to submit the claim" (guide steps 15-17). Submit checks the claim
without submitting it: a problem comes back in the error summary linked to the exact box (units,
the question's Yes), with what was typed still there; otherwise the confirmation shows the services,
lines and total. No returns to the claim unchanged; a claim changed meanwhile is not submitted
unseen; Yes submits it and shows the claims summary. The commissioner's Tier 1 reviewer then finds
it in the queue."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

PRIYA = "priya.practice-user@demo.cqrs.local"
TOM = "tom.tier1@demo.cqrs.local"
COMPONENT = "Depot injection given"
UNITS = "#units-depot-injection"
QUALIFIED = "#answer-depot-injection-qualified-staff-yes"


def _log_out(journey: Any) -> None:
    with journey.page.expect_navigation():
        journey.page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    journey.check()


def _summary_link(journey: Any, text: str) -> Any:
    return journey.page.locator(".nhsuk-error-summary").get_by_role("link", name=re.compile(re.escape(text)))


def test_submit_confirmation_no_yes_and_problems_at_their_boxes(
    journey: Any, api: Any, claims_url: str
) -> None:
    page = journey.page
    main = page.locator("#maincontent")
    api.accept_depot("E85001")
    priya = api.headers(PRIYA)
    journey.log_in(PRIYA)
    journey.click("Claims")
    journey.click("+New Claim")
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"Claim \S+"))
    claim_id = page.get_by_role("heading", level=1).inner_text().split()[1]
    journey.click("Add All services")
    journey.click(f"Add {COMPONENT}")
    units = page.get_by_label(f"Units of {COMPONENT}")

    # A fraction: refused before any confirmation, linked to the units box, the typed value kept.
    units.fill("2.5")
    page.get_by_role("radio", name="Yes").check()
    journey.click("Submit")
    wrong_units = _summary_link(journey, f"{COMPONENT}: units must be a whole number")
    expect(wrong_units).to_have_attribute("href", UNITS)
    expect(units).to_have_value("2.5")
    expect(main.locator(f"{UNITS}-error")).to_contain_text("units must be a whole number")
    wrong_units.click()
    expect(units).to_be_focused()

    # The required Yes left unticked: linked to that question's Yes.
    units.fill("4")
    page.get_by_role("radio", name="No").check()
    journey.click("Submit")
    unanswered = _summary_link(journey, f"{COMPONENT}: switch to Yes to confirm")
    expect(unanswered).to_have_attribute("href", QUALIFIED)
    unanswered.click()
    expect(page.locator(QUALIFIED)).to_be_focused()

    # Right: the confirmation shows what will be submitted; No returns to the claim unchanged.
    page.get_by_role("radio", name="Yes").check()
    journey.click("Submit")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm that you wish to submit the claim")
    line = main.get_by_role("row").filter(has_text=COMPONENT)
    expect(line).to_contain_text("Depot Antipsychotic Injections")
    expect(line).to_contain_text("£75.00")
    expect(line).to_contain_text("Were the depot injections administered by a qualified member of staff? Yes")
    expect(main.locator("#confirm-total")).to_have_text("£75.00")
    journey.screenshot("confirm-submit")
    journey.click("No, go back to the claim")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Claim {claim_id} Draft")
    expect(units).to_have_value("4")
    stored = api.claims("GET", f"/claims/{claim_id}", priya)
    assert (stored["status"], stored["lines"][0]["units"]) == ("Draft", None)

    # The claim changes after the confirmation was shown: Yes does not submit what was not seen.
    units.fill("6")
    journey.click("Submit")
    expect(main.locator("#confirm-total")).to_have_text("£112.50")
    line = {
        "component_id": "depot-injection",
        "units": 5,
        "answers": [{"question_id": "qualified-staff", "yes": True}],
    }
    api.claims("PUT", f"/claims/{claim_id}/lines", priya, {"lines": [line]})
    journey.click("Yes, submit the claim")
    expect(_summary_link(journey, "This claim changed after you checked it")).to_be_visible()
    assert api.claims("GET", f"/claims/{claim_id}", priya)["status"] == "Draft"

    # Yes: submitted, and the claims summary shows what was claimed.
    expect(units).to_have_value("5")
    journey.click("Submit")
    expect(main.locator("#confirm-total")).to_have_text("£93.75")
    journey.click("Yes, submit the claim")
    expect(main.locator(".nhsuk-panel")).to_contain_text(
        f"Claim {claim_id} for £93.75 is now Pending Tier 1 Review"
    )
    expect(main.get_by_role("row").filter(has_text=COMPONENT)).to_contain_text("£93.75")
    journey.screenshot("claim-summary")
    _log_out(journey)

    # The other party: the claim waits in the commissioner's Tier 1 queue.
    def queued() -> bool:
        found = api.claims(
            "GET",
            "/review/queue",
            api.headers(TOM),
            commissioner_organisation_id="QRV",
            step="Tier 1",
            size=100,
        )
        return any(c["claim_id"] == claim_id for c in found["items"])

    api.eventually(queued)
    journey.log_in(TOM)
    journey.click("Claims")
    journey.click("Tier 1 review queue (QRV)")
    expect(main.get_by_role("row").filter(has_text=claim_id)).to_contain_text("£93.75")
