"""Journey: a commissioner's review flow (CQRS Local, Commissioning Management). Chloe opens QRV's flow
(Tier 1, Tier 2, Finance for High claims), types it wrong (sign-offs not a number, the bands the wrong
way round, a first step that skips claims): each problem is in the error summary linked to its box.
A colleague saves the flow meanwhile: Chloe's save is refused (nothing of hers overwrites theirs), so
she opens the flow again, lowers the bands, lets Tier 2 return claims and sends Medium claims to
Finance too. The other party: Tom, at Tier 1, sees a new £75 claim in the Medium band with Finance on
its route."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

CHLOE = "chloe.commissioner@demo.cqrs.local"
TOM = "tom.tier1@demo.cqrs.local"


def _log_out(journey: Any) -> None:
    with journey.page.expect_navigation():
        journey.page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    journey.check()


def _refused(journey: Any, text: str | re.Pattern[str], box: str) -> None:
    link = journey.page.locator(".nhsuk-error-summary").get_by_role("link", name=text)
    expect(link).to_have_attribute("href", f"#{box}")


def _flow_of(saved: dict[str, Any]) -> dict[str, Any]:
    """A flow as read (with its version), as a body to save."""
    return {k: v for k, v in saved.items() if k != "version"}


def test_review_flow_errors_at_their_boxes_then_saved_and_used(
    journey: Any, api: Any, claims_url: str
) -> None:
    page = journey.page
    main = page.locator("#maincontent")
    chloe = api.headers(CHLOE)
    default = api.claims("GET", "/review/flows/QRV", chloe)
    try:
        journey.log_in(CHLOE)
        journey.click("Claims")
        journey.click("Review flow (QRV)")
        expect(page.locator("#step-0-name")).to_have_value("Tier 1")
        expect(page.locator("#step-2-name")).to_have_value("Finance")
        expect(page.locator("#step-2-bands-3")).to_be_checked()  # Finance: High claims only
        expect(page.locator("#step-2-bands-2")).not_to_be_checked()

        page.locator("#step-1-sign_offs").fill("two")
        journey.click("Save the review flow")
        _refused(journey, "Step 2: enter the sign-offs as a whole number from 1 to 5", "step-1-sign_offs")
        expect(page.locator("#step-1-sign_offs")).to_have_value("two")

        page.locator("#step-1-sign_offs").fill("1")
        page.locator("#medium_from").fill("100")
        page.locator("#high_from").fill("50")
        journey.click("Save the review flow")
        _refused(journey, "The Medium band must start below the High band", "medium_from")

        page.locator("#high_from").fill("100")
        page.locator("#medium_from").fill("50")
        page.locator("#step-0-bands").uncheck()  # Tier 1 would skip Low claims
        journey.click("Save the review flow")
        _refused(journey, "the first step must apply to every claim", "step-0-bands")
        assert api.claims("GET", "/review/flows/QRV", chloe) == default  # nothing saved yet

        # A colleague saves the flow (unchanged) while Chloe's form is open: hers is now stale.
        colleague = _flow_of(default)
        api.claims("PUT", "/review/flows/QRV", {**chloe, "If-Match": f'"{default["version"]}"'}, colleague)
        page.locator("#step-0-bands").check()
        journey.click("Save the review flow")
        _refused(journey, re.compile("Someone else saved this review flow"), "steps")
        after = api.claims("GET", "/review/flows/QRV", chloe)
        assert (_flow_of(after), after["version"]) == (colleague, default["version"] + 1)

        page.goto("/claims/review-flows/QRV")
        journey.check()
        page.locator("#high_from").fill("100")
        page.locator("#medium_from").fill("50")
        page.locator("#step-1-may_return").check()
        page.locator("#step-2-bands-2").check()  # Finance for Medium claims too
        journey.screenshot("review-flow")
        journey.click("Save the review flow")
        expect(page.get_by_text("The review flow of QRV has been saved")).to_be_visible()
        expect(page.locator("#medium_from")).to_have_value("50.00")
        expect(page.locator("#step-1-may_return")).to_be_checked()
        saved = api.claims("GET", "/review/flows/QRV", chloe)
        assert saved["bands"] == {"medium_from_pence": 5000, "high_from_pence": 10000}
        assert [(s["name"], s["may_return"], s["bands"]) for s in saved["steps"]] == [
            ("Tier 1", True, ["Low", "Medium", "High"]),
            ("Tier 2", True, ["Low", "Medium", "High"]),
            ("Finance", False, ["Medium", "High"]),
        ]
        _log_out(journey)

        # The other party: a £75 claim is now Medium, and Finance is on its route.
        claim_id = api.depot_claim("E85001", 4)
        tom = api.headers(TOM)
        api.eventually(
            lambda: (
                (api.claims("GET", f"/review/claims/{claim_id}", tom)["review"] or {}).get("step") == "Tier 1"
            )
        )
        journey.log_in(TOM)
        page.goto(f"/claims/{claim_id}/review")
        journey.check()
        summary = main.locator(".nhsuk-summary-list")
        expect(summary).to_contain_text("Medium")
        expect(summary).to_contain_text("Tier 1, Tier 2, Finance")
        journey.screenshot("claim-on-the-new-flow")
    finally:
        current = api.claims("GET", "/review/flows/QRV", chloe)
        api.claims(
            "PUT", "/review/flows/QRV", {**chloe, "If-Match": f'"{current["version"]}"'}, _flow_of(default)
        )
