"""Journeys: the commissioner's review of claims (CQRS Local) and payment batches. A High value claim
goes through Tier 1, Tier 2 and Finance, each approval after a confirmation; a person who holds both
Tier 1 and Tier 2 may sign off only one step, and the page shows claims' refusal. Tier 1 returns a
claim with a reason (the provider sees it, and can change the claim) and rejects another. Finance
lists the payment batches, opens one with its claims and downloads its CSV; the provider sees Paid."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

PRIYA = "priya.practice-user@demo.cqrs.local"
TOM = "tom.tier1@demo.cqrs.local"
TESS = "tess.tier2@demo.cqrs.local"
FELIX = "felix.local-finance@demo.cqrs.local"
DINA = "dina.dual-approver@demo.cqrs.local"
RETURN_REASON = "Please split the injections by month and claim again."
REJECT_REASON = "These injections were claimed in an earlier claim."


def _log_out(journey: Any) -> None:
    with journey.page.expect_navigation():
        journey.page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    journey.check()


def _open_queue(journey: Any, step: str) -> None:
    """The Claims page (from the header), then the step's queue."""
    with journey.page.expect_navigation():
        journey.page.get_by_role("link", name="Claims", exact=True).first.click()
    journey.check()
    journey.click(f"{step} review queue (QRV)")


def _approve(journey: Any, claim_id: str, step: str) -> None:
    """From a queue: open the claim, Approve, confirm."""
    page = journey.page
    journey.click(claim_id)
    journey.click("Approve")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Are you sure you want to approve claim {claim_id} at {step}?"
    )
    journey.click("Confirm")


def test_review_through_tiers_with_segregation_return_and_reject(
    journey: Any, api: Any, claims_url: str
) -> None:
    page = journey.page
    main = page.locator("#maincontent")
    high = api.depot_claim("E85001", 2700)  # £50,625.00: High band, so Tier 1, Tier 2 and Finance
    to_return = api.depot_claim("E85001", 4)
    to_reject = api.depot_claim("E85001", 5)

    # Tier 1 (Dina holds Tier 1 and Tier 2): the queue filtered by value band, the claim, Approve.
    journey.log_in(DINA)
    _open_queue(journey, "Tier 1")
    page.get_by_label("Value band").select_option("High")
    page.get_by_label("Provider ODS code").fill("E85001")
    journey.click("Filter")
    expect(main.get_by_role("row").filter(has_text=high)).to_contain_text("£50,625.00")
    expect(main.get_by_role("row").filter(has_text=to_return)).to_have_count(0)
    page.get_by_label("Waiting at least (days)").fill("a week")
    journey.click("Filter")
    expect(page.locator(".nhsuk-error-summary a[href='#min_age_days']")).to_be_visible()
    page.get_by_label("Waiting at least (days)").fill("")
    journey.click("Filter")
    journey.click(high)
    expect(main.get_by_role("row").filter(has_text="Depot injection given")).to_contain_text("2700")
    expect(main.locator("#claim-total")).to_have_text("£50,625.00")
    happened = main.get_by_role("table", name=re.compile("What happened"))
    expect(happened).to_contain_text("ClaimSubmitted")
    expect(happened.get_by_role("row").filter(has_text="ClaimSubmitted")).to_contain_text("Priya Patel")
    journey.screenshot("review-claim")
    journey.click("Approve")
    journey.click("Confirm")
    expect(page.get_by_text(f"Claim {high} has been approved at Tier 1")).to_be_visible()
    expect(main.get_by_role("row").filter(has_text=high)).to_have_count(0)

    # The other party: Tier 2 now sees it; Dina may not sign off a second step.
    _open_queue(journey, "Tier 2")
    expect(main.get_by_role("row").filter(has_text=high)).to_contain_text("Pending Tier 2 Review")
    _approve(journey, high, "Tier 2")
    refusal = page.locator(".nhsuk-error-summary")
    expect(refusal).to_contain_text("Segregation of duties")
    expect(refusal.get_by_role("link")).to_have_attribute("href", "#decision")
    expect(main).to_contain_text("This decision was refused")
    expect(main).to_contain_text("someone else must sign off this one")
    journey.screenshot("segregation-of-duties")
    _log_out(journey)

    journey.log_in(TESS)
    _open_queue(journey, "Tier 2")
    _approve(journey, high, "Tier 2")
    expect(page.get_by_text(f"Claim {high} has been approved at Tier 2")).to_be_visible()
    _log_out(journey)

    journey.log_in(FELIX)
    _open_queue(journey, "Finance")
    _approve(journey, high, "Finance")
    expect(page.get_by_text(f"Claim {high} has been approved at Finance")).to_be_visible()
    page.goto(f"/claims/{high}/review")
    journey.check()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approved")
    expect(main.get_by_role("button", name="Approve")).to_have_count(0)
    _log_out(journey)

    # Tier 1 returns one claim (a reason is required) and rejects another.
    journey.log_in(TOM)
    _open_queue(journey, "Tier 1")
    journey.click(to_return)
    journey.click("Return to provider")
    journey.click("Confirm")
    expect(page.locator(".nhsuk-error-summary a[href='#reason']")).to_have_text(
        "Enter why you are returning the claim"
    )
    page.get_by_label("Why are you returning this claim to the provider?").fill(RETURN_REASON)
    journey.screenshot("return-claim")
    journey.click("Confirm")
    expect(page.get_by_text(f"Claim {to_return} has been returned")).to_be_visible()
    journey.click(to_reject)
    journey.click("Reject")
    page.get_by_label("Why are you rejecting this claim?").fill(REJECT_REASON)
    journey.click("Confirm")
    expect(page.get_by_text(f"Claim {to_reject} has been rejected")).to_be_visible()
    _log_out(journey)

    # The other party: the provider sees the returned claim with the reason, and can change it.
    journey.log_in(PRIYA)
    journey.click("Claims")
    expect(main.get_by_role("row").filter(has_text=to_reject)).to_contain_text("Rejected")
    expect(main.get_by_role("row").filter(has_text=to_return)).to_contain_text("Returned")
    journey.click(to_return)
    expect(main.locator("#returned-reasons")).to_contain_text(RETURN_REASON)
    expect(page.get_by_label("Units of Depot injection given")).to_have_value("4")
    journey.screenshot("returned-to-provider")


def test_payment_batches_list_one_batch_and_its_csv(
    journey: Any, api: Any, stack: Any, claims_url: str
) -> None:
    page = journey.page
    main = page.locator("#maincontent")
    claim_id = api.depot_claim("E85001", 8)  # £150.00, Low band: Tier 1 and Tier 2
    api.claims("POST", f"/review/claims/{claim_id}/approve", api.headers(TOM), {})
    api.claims("POST", f"/review/claims/{claim_id}/approve", api.headers(TESS), {})
    stack.send_todays_payment_batch()
    felix = api.headers(FELIX)

    def answered() -> bool:
        found = api.claims("GET", "/payment-batches", felix, commissioner_organisation_id="QRV")
        return any(b["status"] == "Answered" and claim_id in b["claim_ids"] for b in found["items"])

    api.eventually(answered, timeout=180)  # claims restarts and rejoins its consumer group first
    journey.log_in(FELIX)
    journey.click("Claims")
    journey.click("Payment batches")
    page.get_by_label("Status").select_option("Flagged")
    journey.click("Filter")
    expect(main.locator("#no-batches")).to_contain_text("There are no payment batches with status Flagged")
    page.get_by_label("Status").select_option("Answered")
    journey.click("Filter")
    row = main.get_by_role("row").filter(has_text=re.compile(r"QRV-\d{8}"))
    expect(row).to_contain_text("Answered")
    batch_id = row.get_by_role("link").inner_text()
    journey.click(batch_id)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Payment batch {batch_id}")
    line = main.get_by_role("row").filter(has_text=claim_id)
    expect(line).to_contain_text("£150.00")
    expect(line).to_contain_text("QRV-DAI")
    expect(line).to_contain_text("Answered by the payment system")
    journey.screenshot("payment-batch")
    with page.expect_download() as download:
        main.get_by_role("link", name=re.compile("Download the batch as CSV")).click()
    csv = Path(download.value.path()).read_text()
    assert csv.splitlines()[0].startswith("batch_id,claim_id,provider_organisation_id")
    assert f"{batch_id},{claim_id},E85001,qs-qrv-depot,QRV-DAI,15000,150.00" in csv
    _log_out(journey)

    # The other party: the provider sees the claim Paid.
    journey.log_in(PRIYA)
    journey.click("Claims")
    expect(main.get_by_role("row").filter(has_text=claim_id)).to_contain_text("Paid")
