"""Journeys: evidence on a claim (CQRS Local). A practice user adds attachments to a component; each
shows Pending System Review until scanned, then Clean (Download), Infected or Rejected with the
scanner's reasons; Delete while the claim is a Draft; the commissioner's Tier 1 reviewer downloads
the clean file. And a multi-level practice: the User (multi-level) prepares and submits for approval
(Awaiting Provider Approval), the Approver (multi-level) submits it on to Tier 1."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from cqrs_scanning import samples

PRIYA = "priya.practice-user@demo.cqrs.local"
MOLLY = "molly.multi-level@demo.cqrs.local"
AISHA = "aisha.practice-approver@demo.cqrs.local"
TOM = "tom.tier1@demo.cqrs.local"
COMPONENT = "Depot injection given"
CLEAN = samples.pdf(["Depot injections given this quarter: 2", "Practice: Abbey Road Medical Centre"])


def _log_out(journey: Any) -> None:
    with journey.page.expect_navigation():
        journey.page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    journey.check()


def _new_depot_claim(journey: Any) -> str:
    """From the Claims page: +New Claim, Add All services, Add+ the depot component; the Claim ID."""
    page = journey.page
    journey.click("Claims")
    journey.click("+New Claim")
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"Claim \S+"))
    claim_id: str = page.get_by_role("heading", level=1).inner_text().split()[1]
    journey.click("Add All services")
    journey.click(f"Add {COMPONENT}")
    return claim_id


def _attach(journey: Any, name: str, mime: str, content: bytes) -> None:
    journey.page.get_by_label(f"Attachment for {COMPONENT}", exact=True).set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": content}]
    )
    journey.click(f"Add Attachment for {COMPONENT}")


def _row(journey: Any, file_name: str) -> Any:
    return journey.page.locator("#maincontent").get_by_role("row").filter(has_text=file_name)


def test_attachments_scan_status_download_and_delete(journey: Any, api: Any, claims_url: str) -> None:
    page = journey.page
    api.accept_depot("E85001")
    journey.log_in(PRIYA)
    claim_id = _new_depot_claim(journey)

    # No file chosen: the error summary links to the file box.
    journey.click(f"Add Attachment for {COMPONENT}")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_role("link", name="Choose a file to attach")).to_have_attribute(
        "href", "#file-depot-injection"
    )

    _attach(journey, "depot-log.pdf", "application/pdf", CLEAN)
    expect(page.get_by_text("depot-log.pdf has been uploaded")).to_be_visible()
    expect(_row(journey, "depot-log.pdf")).to_contain_text(re.compile("Pending System Review|Clean"))
    _attach(journey, "eicar.txt", "text/plain", samples.eicar())
    nhs_number = samples.csv_file([["patient", "injections"], [samples.VALID_NHS_NUMBER, "2"]])
    _attach(journey, "patients.csv", "text/csv", nhs_number)

    headers = api.headers(PRIYA)

    def scanned() -> bool:
        files = api.claims("GET", f"/claims/{claim_id}/attachments", headers)
        return len(files) == 3 and all(f["status"] != "Pending System Review" for f in files)

    api.eventually(scanned)
    with page.expect_navigation():
        page.reload()
    journey.check()
    clean, infected, rejected = (
        _row(journey, "depot-log.pdf"),
        _row(journey, "eicar.txt"),
        _row(journey, "patients.csv"),
    )
    expect(clean).to_contain_text("Clean")
    expect(infected).to_contain_text("Infected")
    expect(infected).to_contain_text(re.compile("eicar", re.IGNORECASE))  # the scanner's reason
    expect(rejected).to_contain_text("Rejected")
    expect(rejected).to_contain_text("NHS number")
    expect(infected.get_by_role("link", name=re.compile("Download"))).to_have_count(0)
    expect(rejected.get_by_role("link", name=re.compile("Download"))).to_have_count(0)
    journey.screenshot("attachments")

    with page.expect_download() as download:
        clean.get_by_role("link", name="Download depot-log.pdf").click()
    assert Path(download.value.path()).read_bytes() == CLEAN

    journey.click("Delete eicar.txt")
    expect(page.get_by_text("The attachment has been deleted")).to_be_visible()
    journey.click("Delete patients.csv")
    expect(_row(journey, "eicar.txt")).to_have_count(0)
    expect(_row(journey, "patients.csv")).to_have_count(0)

    page.get_by_label(f"Units of {COMPONENT}").fill("2")
    page.get_by_role("radio", name="Yes").check()
    journey.click("Submit")
    expect(page.locator("#maincontent")).to_contain_text("Attachments: depot-log.pdf")
    journey.click("Yes, submit the claim")
    expect(page.locator(".nhsuk-panel")).to_contain_text(f"Claim {claim_id} for £37.50")
    expect(page.locator(".nhsuk-panel")).to_contain_text("Pending Tier 1 Review")
    journey.click("Back to your claims summary")
    journey.click(claim_id)
    # Submitted: the file can still be downloaded, but no longer deleted.
    expect(_row(journey, "depot-log.pdf").get_by_role("link", name="Download depot-log.pdf")).to_be_visible()
    expect(page.get_by_role("button", name="Delete depot-log.pdf")).to_have_count(0)
    _log_out(journey)

    # The other party: Tier 1 sees the clean file on the claim and downloads it.
    journey.log_in(TOM)
    journey.click("Claims")
    journey.click("Tier 1 review queue (QRV)")
    journey.click(claim_id)
    expect(_row(journey, "depot-log.pdf")).to_contain_text("Clean")
    with page.expect_download() as download:
        _row(journey, "depot-log.pdf").get_by_role("link", name="Download depot-log.pdf").click()
    assert Path(download.value.path()).read_bytes() == CLEAN
    journey.screenshot("tier-1-attachment")


def test_multi_level_user_prepares_and_approver_submits(journey: Any, api: Any, claims_url: str) -> None:
    page = journey.page
    main = page.locator("#maincontent")
    api.accept_depot("E85002")
    journey.log_in(MOLLY)
    claim_id = _new_depot_claim(journey)
    page.get_by_label(f"Units of {COMPONENT}").fill("3")
    page.get_by_role("radio", name="Yes").check()
    journey.click("Submit")
    expect(main).to_contain_text("It will be sent to an Approver (multi-level) at your organisation")
    journey.click("Yes, submit the claim")
    panel = main.locator(".nhsuk-panel")
    expect(panel).to_contain_text("Claim sent for approval")
    expect(panel).to_contain_text(f"Claim {claim_id} for £56.25 is now Awaiting Provider Approval")
    journey.click("Back to your claims summary")
    expect(main.get_by_role("row").filter(has_text=claim_id)).to_contain_text("Awaiting Provider Approval")
    journey.click(claim_id)
    expect(main).to_contain_text("waits for an Approver (multi-level)")
    expect(main.get_by_role("button", name="Submit")).to_have_count(0)
    _log_out(journey)

    journey.log_in(AISHA)
    journey.click("Claims")
    expect(main.get_by_role("row").filter(has_text=claim_id)).to_contain_text("Awaiting Provider Approval")
    journey.click(claim_id)
    expect(main.get_by_role("row").filter(has_text=COMPONENT)).to_contain_text("£56.25")
    journey.screenshot("approver-submits")
    journey.click("Submit")
    journey.click("Yes, submit the claim")
    expect(main.locator(".nhsuk-panel")).to_contain_text("Claim submitted")
    expect(main.locator(".nhsuk-panel")).to_contain_text("Pending Tier 1 Review")
    _log_out(journey)

    # The other party: the claim waits in the commissioner's Tier 1 queue.
    journey.log_in(TOM)
    journey.click("Claims")
    journey.click("Tier 1 review queue (QRV)")
    expect(main.get_by_role("row").filter(has_text=claim_id)).to_contain_text("E85002")
