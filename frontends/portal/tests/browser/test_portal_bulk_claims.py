"""Journey: bulk claims (CQRS Local, a Tier 1 commissioner). Tom downloads the pre-filled workbook
of the depot service, fills it in with a wrong row: every wrong cell comes back by row, column and
heading, and nothing is claimed; then right: one claim per provider, submitted on its behalf; the
same file again is refused. The practice then sees the claim made for it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
from playwright.sync_api import expect

TOM = "tom.tier1@demo.cqrs.local"
PRIYA = "priya.practice-user@demo.cqrs.local"
DEPOT = "qs-qrv-depot"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _log_out(journey: Any) -> None:
    with journey.page.expect_navigation():
        journey.page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    journey.check()


def _filled(template: bytes, units: dict[str, int]) -> tuple[bytes, dict[str, int]]:
    """The workbook with Units and the required Yes filled in per provider; the row of each."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    unit_column = headers.index("Units")
    answer_column = next(i for i, h in enumerate(headers) if str(h).startswith("qualified-staff"))
    rows = {}
    for row in sheet.iter_rows(min_row=2):
        provider = row[0].value
        if provider in units:
            row[unit_column].value = units[provider]
            row[answer_column].value = "Yes"
            rows[provider] = row[0].row
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), rows


def _upload(journey: Any, data: bytes) -> None:
    page = journey.page
    page.locator("#quality_service_id").fill(DEPOT)
    page.get_by_label("Filled-in workbook (XLSX)").set_input_files(
        files=[{"name": "depot-bulk.xlsx", "mimeType": XLSX, "buffer": data}]
    )
    journey.click("Upload")


def test_bulk_claims_template_wrong_cells_then_claims_made(journey: Any, api: Any, claims_url: str) -> None:
    page = journey.page
    main = page.locator("#maincontent")
    api.accept_depot("E85001")
    priya = api.headers(PRIYA)
    before = {
        c["claim_id"]
        for c in api.claims("GET", "/claims", priya, provider_organisation_id="E85001", page_size=100)[
            "items"
        ]
    }

    journey.log_in(TOM)
    journey.click("Claims")
    journey.click("Bulk claims")
    # A service the commissioner has not published: the error is on the box.
    page.locator("#template-service").fill("qs-no-such-service")
    journey.click("Download the template")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#template-service")
    expect(summary).to_contain_text("qs-no-such-service")

    page.locator("#template-service").fill(DEPOT)
    with page.expect_download() as download:
        main.get_by_role("button", name="Download the template").click()
    assert download.value.suggested_filename == f"bulk-claims-{DEPOT}.xlsx"
    template = Path(download.value.path()).read_bytes()
    providers = [
        r[0]
        for r in openpyxl.load_workbook(io.BytesIO(template)).active.iter_rows(min_row=2, values_only=True)
    ]
    assert {"E85001", "E85002"} <= set(providers)

    # A negative number of units: that cell is named, and nothing is claimed.
    wrong, rows = _filled(template, {"E85001": 2, "E85002": -1})
    _upload(journey, wrong)
    expect(summary).to_contain_text("The workbook has 1 cell to put right: nothing was claimed")
    cell = summary.get_by_role(
        "link", name=f"Row {rows['E85002']}, column I (Units): units cannot be negative"
    )
    expect(cell).to_have_attribute("href", "#file")
    expect(
        main.locator("#cells").get_by_role("row").filter(has_text="units cannot be negative")
    ).to_contain_text(str(rows["E85002"]))
    journey.screenshot("bulk-claims-refused")
    after = {
        c["claim_id"]
        for c in api.claims("GET", "/claims", priya, provider_organisation_id="E85001", page_size=100)[
            "items"
        ]
    }
    assert after == before

    # Right: one claim per provider, submitted on its behalf, waiting for Tier 1 review.
    right, _ = _filled(template, {"E85001": 2, "E85002": 3})
    _upload(journey, right)
    expect(main.locator(".nhsuk-panel")).to_contain_text("2 claims submitted on behalf of your providers")
    made = main.get_by_role("table").filter(has_text="Claims made from the workbook")
    expect(made.get_by_role("row").filter(has_text="E85001")).to_contain_text("£37.50")
    expect(made.get_by_role("row").filter(has_text="E85002")).to_contain_text("£56.25")
    expect(made.get_by_role("row").filter(has_text="E85001")).to_contain_text("Pending Tier 1 Review")
    claim_id = made.get_by_role("row").filter(has_text="E85001").get_by_role("link").inner_text()
    journey.screenshot("bulk-claims-made")

    # The same workbook again: refused, nothing claimed twice.
    _upload(journey, right)
    expect(summary.get_by_role("link", name="already been uploaded")).to_have_attribute("href", "#file")
    _log_out(journey)

    # The other party: the practice sees the claim made for it.
    journey.log_in(PRIYA)
    journey.click("Claims")
    row = main.get_by_role("row").filter(has_text=claim_id)
    expect(row).to_contain_text("Pending Tier 1 Review")
    expect(row).to_contain_text("£37.50")
