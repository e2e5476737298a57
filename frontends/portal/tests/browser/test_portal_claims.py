"""Journey: a practice's claim (CQRS Local). +New Claim or the reason it is missing, the services,
components and claim panes, units with line totals, a supplementary question, Submit and the
confirmation; then the claim in the commissioner's Tier 1 review queue."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

PRIYA = "priya.practice-user@demo.cqrs.local"
SAM = "sam.service-manager@demo.cqrs.local"
TOM = "tom.tier1@demo.cqrs.local"
DEPOT = "qs-qrv-depot"


def _log_out(journey: Any) -> None:
    with journey.page.expect_navigation():
        journey.page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    journey.check()


def test_new_claim_units_submit_and_tier_1_queue(journey: Any, api: Any, claims_url: str) -> None:
    page = journey.page
    main = page.locator("#maincontent")
    sam = api.headers(SAM)
    depot = next(
        o
        for o in api.through_gateway("GET", "/api/participation/my-services", sam, params={"limit": 100})[
            "items"
        ]
        if o["quality_service_id"] == DEPOT and o["provider_organisation_id"] == "E85001"
    )
    priya = api.headers(PRIYA)

    def availability() -> dict[str, Any]:
        found: dict[str, Any] = api.through_gateway(
            "GET", "/api/claims/claims/availability", priya, params={"provider_organisation_id": "E85001"}
        )
        return found

    if depot["status"] == "Offered":
        # Before the depot service is accepted, E85001's only service (Ear Irrigation) missed its windows
        # (once claims has caught up with participation's catalogue).
        api.eventually(lambda: availability()["reason"] == "window_missed")
        journey.log_in(PRIYA)
        journey.click("Claims")
        expect(main.locator("#no-new-claim")).to_contain_text("You have missed your claims window")
        expect(main.get_by_role("button", name="+New Claim")).to_have_count(0)
        _log_out(journey)
        api.through_gateway("POST", f"/api/participation/offers/{depot['offer_id']}/accept", sam)

    def claimable() -> bool:
        return any(s["quality_service_id"] == DEPOT and s["claimable"] for s in availability()["services"])

    api.eventually(claimable)
    journey.log_in(PRIYA)
    journey.click("Claims")
    expect(main.get_by_role("row").filter(has_text="Depot Antipsychotic Injections")).to_contain_text(
        "Add components individually"
    )
    journey.click("+New Claim")
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"Claim \S+"))
    claim_id = page.get_by_role("heading", level=1).inner_text().split()[1]

    services = main.locator("section").filter(has=page.get_by_role("heading", name="Services"))
    expect(services).to_contain_text("Depot Antipsychotic Injections (1 component)")
    journey.click("Add All services")
    journey.click("Add Depot injection given")
    pane = main.locator("#claim-pane")
    expect(pane.get_by_role("row").filter(has_text="Depot injection given")).to_contain_text("£18.75")

    page.get_by_label("Units of Depot injection given").fill("4")
    journey.click("Save")
    expect(page.get_by_text("Your claim has been saved")).to_be_visible()
    line = main.locator("#claim-pane").get_by_role("row").filter(has_text="Depot injection given")
    expect(line).to_contain_text("£75.00")
    expect(main.locator("#claim-total")).to_have_text("£75.00")

    journey.click("Submit")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    page.get_by_role("radio", name="Yes").check()
    page.get_by_label("Units of Depot injection given").fill("6")
    journey.screenshot("claim")
    journey.click("Submit")
    journey.click("Yes, submit the claim")
    expect(main.locator(".nhsuk-panel")).to_contain_text(f"Claim {claim_id} for £112.50")
    journey.click("Back to your claims summary")
    expect(main.get_by_role("row").filter(has_text=claim_id)).not_to_contain_text("Draft")
    _log_out(journey)

    def queued() -> bool:
        found = api.through_gateway(
            "GET",
            "/api/claims/review/queue",
            api.headers(TOM),
            params={"commissioner_organisation_id": "QRV", "step": "Tier 1"},
        )
        return any(c["claim_id"] == claim_id for c in found["items"])

    api.eventually(queued)
    journey.log_in(TOM)
    journey.click("Claims")
    journey.click("Tier 1 review queue (QRV)")
    row = main.get_by_role("row").filter(has_text=claim_id)
    expect(row).to_contain_text("E85001")
    expect(row).to_contain_text("£112.50")
    journey.screenshot("tier-1-queue")
