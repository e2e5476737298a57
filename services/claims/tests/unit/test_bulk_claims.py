"""Bulk claims without servers: the pre-filled workbook (locked headers, lists), read back by header;
every wrong cell named by row and column; the claims made, submitted by the commissioner, that the
commissioner then cannot review."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest

from cqrs_claims.bulk import workbook
from cqrs_claims.bulk.domain import (
    UNITS,
    BulkRefused,
    Context,
    SheetRow,
    check_rows,
    claim_events,
    question_key,
)
from cqrs_claims.bulk.service import _located
from cqrs_claims.catalogue.domain import ServiceVersion
from cqrs_claims.claims.domain.claim import ClaimStatus, fold
from cqrs_claims.review.domain import decisions
from cqrs_claims.review.domain.decisions import SegregationOfDuties
from cqrs_claims.review.domain.flow import default_flow
from cqrs_claims.testing import approved, complex_care, depot, ear_irrigation, quarter
from cqrs_contracts.events import ClaimDrafted, ClaimReadyForTier1Review, ClaimSubmitted

NOW = dt.datetime(2025, 7, 10, 9, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
COMMISSIONER_USER = "tier-1-anna"
PROVIDERS = ("A81001", "A81002", "A81003")
PLAN, RETAINER, EAR, DEPOT = "complex-care-plan", "care-retainer", "ear-irrigation", "depot-injection"


def mixed(windows: list[Any] | None = None) -> ServiceVersion:
    """One service with every kind of component: unit priced, retainer, evidence, questions."""
    windows = [quarter(TODAY)] if windows is None else windows
    care = complex_care(windows)
    extra = [ear_irrigation(windows).components[0], depot(windows).components[0]]
    return care.model_copy(
        update={"quality_service_id": "qs-mixed", "components": [*care.components, *extra]}
    )


def context(service: ServiceVersion, *, taken: dict[str, set[str]] | None = None) -> Context:
    offers = {p: approved(service, p) for p in PROVIDERS[:2]}  # the third has no offer
    return Context(service, offers, frozenset(PROVIDERS), taken or {}, TODAY)


def filled(service: ServiceVersion, edits: dict[tuple[str, str], dict[str, Any]]) -> bytes:
    """The template for two providers, with cells set by (provider, component) -> {key: value}."""
    rows = [
        workbook.TemplateRow(p, f"Practice {p}", c.component_id)
        for p in PROVIDERS[:2]
        for c in service.components
    ]
    book = openpyxl.load_workbook(io.BytesIO(workbook.template(service, rows)))
    sheet = book[workbook.SHEET]
    keys = [key for key, _ in _columns(service)]
    for row in sheet.iter_rows(min_row=2):
        wanted = edits.get((row[0].value, row[4].value), {})
        for key, value in wanted.items():
            row[keys.index(key)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _columns(service: ServiceVersion) -> list[tuple[str, str]]:
    from cqrs_claims.bulk.domain import columns  # noqa: PLC0415

    return columns(service)


def test_the_template_has_a_row_per_provider_and_component_locked_headers_and_lists() -> None:
    service = mixed()
    rows = [
        workbook.TemplateRow(p, f"Practice {p}", c.component_id)
        for p in PROVIDERS[:2]
        for c in service.components
    ]
    book = openpyxl.load_workbook(io.BytesIO(workbook.template(service, rows)))
    sheet = book[workbook.SHEET]
    header = [c.value for c in sheet[1]]
    assert header[:9] == [
        "Provider ODS code",
        "Provider name",
        "Service ID",
        "Service name",
        "Component ID",
        "Component name",
        "Kind",
        "Unit price or amount (£)",
        "Units",
    ]
    assert header[9].startswith("qualified-staff (required): ")
    assert header[10].startswith("clinician (optional): ")
    assert sheet.max_row == 1 + 2 * 4
    assert [(r[0].value, r[4].value, r[7].value) for r in sheet.iter_rows(min_row=2, max_row=5)] == [
        ("A81001", PLAN, 193.42),
        ("A81001", RETAINER, 500.0),
        ("A81001", EAR, 25.0),
        ("A81001", DEPOT, 15.0),
    ]
    assert sheet.protection.sheet is True
    assert sheet.freeze_panes == "A2"
    assert [sheet[c].protection.locked for c in ("A1", "I1", "A2", "H2", "I2", "J2")] == [
        True,
        True,
        True,
        True,
        False,
        False,
    ]
    validations = {(v.type, str(v.sqref), v.formula1) for v in sheet.data_validations.dataValidation}
    assert ("whole", "I2:I9", "0") in validations
    assert ("list", "J2:J9", '"Yes,No"') in validations


def test_a_good_workbook_makes_one_claim_per_provider_submitted_by_the_commissioner() -> None:
    service = mixed()
    data = filled(
        service,
        {
            ("A81001", PLAN): {UNITS: 12},
            ("A81001", RETAINER): {UNITS: 1},
            ("A81001", DEPOT): {UNITS: "3", "answer:qualified-staff": "Yes", "answer:clinician": "Dr Patel"},
            ("A81002", PLAN): {UNITS: 2.0},
            ("A81002", EAR): {UNITS: 0},
        },
    )
    _, rows = workbook.read(data, service, 100)
    planned = check_rows(rows, context(service))
    assert [(c.provider, [(x.component_id, x.units) for x in c.lines]) for c in planned] == [
        ("A81001", [(PLAN, 12), (RETAINER, None), (DEPOT, 3)]),
        ("A81002", [(PLAN, 2)]),
    ]
    built, events, submitted = claim_events(
        "10001", planned[0], context(service), upload_id="QWE:abc", actor=COMMISSIONER_USER, now=NOW
    )
    claim = fold(built, submitted)
    assert isinstance(events[0], ClaimDrafted)
    assert events[0].drafted_by == COMMISSIONER_USER
    sent = next(e for e in submitted if isinstance(e, ClaimSubmitted))
    assert (sent.submitted_by, sent.bulk_upload_id, sent.provider_organisation_id, sent.total_pence) == (
        COMMISSIONER_USER,
        "QWE:abc",
        "A81001",
        12 * 19342 + 50000 + 3 * 1500,
    )
    assert isinstance(submitted[-1], ClaimReadyForTier1Review)
    assert claim.status is ClaimStatus.PENDING_TIER_1_REVIEW
    assert claim.line(DEPOT).answers["clinician"].text == "Dr Patel"  # type: ignore[union-attr]
    in_review = fold(claim, decisions.start(claim, default_flow(), NOW))
    with pytest.raises(SegregationOfDuties):
        decisions.approve(in_review, default_flow(), COMMISSIONER_USER, NOW)
    moved = fold(in_review, decisions.approve(in_review, default_flow(), "tier-1-ben", NOW))
    assert moved.status is ClaimStatus.PENDING_TIER_2_REVIEW


def test_every_wrong_cell_is_named_by_row_and_column() -> None:
    service = mixed()
    data = filled(
        service,
        {
            ("A81001", PLAN): {UNITS: -1},
            ("A81001", RETAINER): {UNITS: 2},
            ("A81001", EAR): {UNITS: 1},
            ("A81001", DEPOT): {UNITS: 4, "answer:qualified-staff": "No"},
            ("A81002", PLAN): {UNITS: 1.5, "answer:qualified-staff": "Yes"},
            ("A81002", RETAINER): {UNITS: "lots"},
            ("A81002", EAR): {UNITS: 3, "provider": "ZZZ999"},
            ("A81002", DEPOT): {UNITS: 1, "component": "depot-nope", "answer:qualified-staff": "Maybe"},
        },
    )
    letters, rows = workbook.read(data, service, 100)
    with pytest.raises(BulkRefused) as refused:
        check_rows(rows, context(service))
    found = [
        (e["row"], e["column"], e["type"])
        for e in (_located(p, letters, dict(_columns(service))) for p in refused.value.problems)
    ]
    assert found == [
        (2, "I", "units-negative"),
        (3, "I", "retainer-units"),
        (4, "I", "evidence-missing"),
        (5, "J", "answer-required"),
        (6, "I", "units-fractional"),
        (7, "I", "units-not-a-number"),
        (8, "A", "provider-out-of-scope"),
        (8, "I", "evidence-missing"),
        (9, "E", "component-unknown"),
    ]


def test_providers_without_an_offer_duplicates_and_a_foreign_answer_are_refused() -> None:
    service = mixed()
    cells: dict[str, Any] = {"service": "qs-mixed", "component": PLAN, UNITS: 1}
    rows = [
        SheetRow(2, {**cells, "provider": "A81003"}),
        SheetRow(3, {**cells, "provider": "a81001"}),
        SheetRow(4, {**cells, "provider": "A81001"}),
        SheetRow(
            5, {**cells, "provider": "A81002", question_key(depot([]).components[0].questions[0]): "Yes"}
        ),
        SheetRow(6, {**cells, "provider": "", "service": "qs-other"}),
    ]
    with pytest.raises(BulkRefused) as refused:
        check_rows(rows, context(service))
    assert [(p.row, p.column, p.type) for p in refused.value.problems] == [
        (2, "provider", "provider-no-offer"),
        (4, "component", "row-duplicate"),
        (5, "answer:qualified-staff", "answer-unknown"),
        (6, "provider", "provider-unknown"),
        (6, "service", "service-unknown"),
    ]


@pytest.mark.parametrize(
    ("starts", "taken", "kind"),
    [
        (-40, False, "window-closed"),
        (5, False, "window-not-open"),
        (-10, True, "window-all-claimed"),
    ],
)
def test_a_provider_whose_window_does_not_allow_a_claim_is_refused(
    starts: int, taken: bool, kind: str
) -> None:
    service = mixed([quarter(TODAY, starts=starts)])
    held = {"A81001": {f"qs-mixed:{service.claim_windows[0].window_id}"}} if taken else {}
    rows = [SheetRow(7, {"provider": "A81001", "service": "qs-mixed", "component": PLAN, UNITS: 3})]
    with pytest.raises(BulkRefused) as refused:
        check_rows(rows, context(service, taken=held))
    assert [(p.row, p.column, p.type) for p in refused.value.problems] == [(7, UNITS, kind)]


def test_an_empty_workbook_claims_nothing_and_a_missing_column_or_junk_is_refused() -> None:
    service = mixed()
    _, rows = workbook.read(filled(service, {}), service, 100)
    with pytest.raises(BulkRefused, match="enter units on at least one row"):
        check_rows(rows, context(service))
    book = openpyxl.Workbook()
    book.active.append(["Provider ODS code", "Units"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(workbook.MissingColumns) as missing:
        workbook.read(out.getvalue(), service, 100)
    assert {p.column for p in missing.value.problems} >= {"service", "component", "answer:qualified-staff"}
    with pytest.raises(workbook.NotAWorkbook):
        workbook.read(b"provider,units\nA81001,3\n", service, 100)
