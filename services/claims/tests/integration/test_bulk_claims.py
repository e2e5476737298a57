"""Bulk claims on the real stack (Kafka, FerretDB): a Tier 1 commissioner downloads the pre-filled
workbook, uploads it with a wrong row (nothing stored, the row and column named), then right; the
claims wait in the Tier 1 queue, submitted by the uploader, who cannot approve them; another Tier 1
approver and Tier 2 can."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest

from cqrs_claims.bulk.service import UPLOADS
from cqrs_claims.bulk.workbook import MEDIA_TYPE, SHEET
from cqrs_claims.claims.store import CLAIMS
from cqrs_claims.harness import Stack, claims_stack
from cqrs_claims.testing import complex_care, quarter
from cqrs_kit.testing import bearer, eventually, grant, unique

pytestmark = pytest.mark.integration
API = "/api/claims"
UNITS_COLUMN = 9  # I


@pytest.fixture(scope="module")
async def stack(infra: dict[str, str]) -> AsyncIterator[Stack]:
    async with claims_stack(scan=False, claims_payment_tick_seconds=0) as running:
        yield running


def commissioner(stack: Stack, role: str, user_id: str) -> dict[str, str]:
    return bearer(grant(role, stack.commissioner), user_id=user_id)


def fill(template: bytes, units: dict[tuple[str, str], Any]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(template))
    for row in book[SHEET].iter_rows(min_row=2):
        key = (row[0].value, row[4].value)
        if key in units:
            row[UNITS_COLUMN - 1].value = units[key]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def upload(stack: Stack, who: dict[str, str], service_id: str, data: bytes) -> Any:
    return await stack.client.post(
        f"{API}/bulk-claims",
        params={"commissioner_organisation_id": stack.commissioner, "quality_service_id": service_id},
        files={"file": ("claims.xlsx", data, MEDIA_TYPE)},
        headers=who,
    )


async def test_a_bulk_upload_with_a_bad_row_stores_nothing_and_a_good_one_goes_to_review(
    stack: Stack,
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    service = complex_care([quarter(today, window_id=unique("q"))], service_id=unique("qs-bulk")).model_copy(
        update={"commissioner_organisation_id": stack.commissioner}
    )
    first, second = stack.practices
    await stack.offer(service, first, second)
    anna_id = unique("anna")
    anna = commissioner(stack, "Local Approver Tier 1", anna_id)
    params = {
        "commissioner_organisation_id": stack.commissioner,
        "quality_service_id": service.quality_service_id,
    }

    async def template() -> bytes | None:
        answer = await stack.client.get(f"{API}/bulk-claims/template", params=params, headers=anna)
        if answer.status_code != 200:
            return None
        rows = list(
            openpyxl.load_workbook(io.BytesIO(answer.content))[SHEET].iter_rows(min_row=2, values_only=True)
        )
        return answer.content if len(rows) == 4 else None  # both offers are in the catalogue

    blank: bytes = await eventually(template, timeout=30)
    rows = list(openpyxl.load_workbook(io.BytesIO(blank))[SHEET].iter_rows(min_row=2, values_only=True))
    assert sorted((r[0], r[4]) for r in rows) == sorted(
        (p, c) for p in (first, second) for c in ("complex-care-plan", "care-retainer")
    )
    provider_user = stack.user("Local User (single-level)", first)
    tier_2 = commissioner(stack, "Local Approver Tier 2", unique("tess"))
    for stranger in (provider_user, tier_2):
        refused = await stack.client.get(f"{API}/bulk-claims/template", params=params, headers=stranger)
        assert refused.status_code == 403, refused.text

    bad = fill(blank, {(first, "complex-care-plan"): 12, (second, "complex-care-plan"): -3})
    refused = await upload(stack, anna, service.quality_service_id, bad)
    assert refused.status_code == 422, refused.text
    wrong_row = 2 + next(i for i, r in enumerate(rows) if (r[0], r[4]) == (second, "complex-care-plan"))
    assert [(e["row"], e["column"], e["header"], e["type"]) for e in refused.json()["errors"]] == [
        (wrong_row, "I", "Units", "units-negative")
    ]
    assert refused.json()["errors"][0]["message"] == "units cannot be negative"
    claims = stack.runtime.mongo.collection(CLAIMS)
    assert await claims.count_documents({"commissioner_organisation_id": stack.commissioner}) == 0
    assert await stack.runtime.mongo.collection(UPLOADS).count_documents({}) == 0

    good = fill(
        blank,
        {(first, "complex-care-plan"): 12, (first, "care-retainer"): 1, (second, "complex-care-plan"): 3},
    )
    accepted = await upload(stack, anna, service.quality_service_id, good)
    assert accepted.status_code == 201, accepted.text
    made = {c["provider_organisation_id"]: c for c in accepted.json()["claims"]}
    assert {p: (c["status"], c["total_pence"], c["submitted_by"]) for p, c in made.items()} == {
        first: ("Pending Tier 1 Review", 12 * 19342 + 50000, anna_id),
        second: ("Pending Tier 1 Review", 3 * 19342, anna_id),
    }
    again = await upload(stack, anna, service.quality_service_id, good)
    assert again.status_code == 409, again.text
    assert await claims.count_documents({"commissioner_organisation_id": stack.commissioner}) == 2
    other = await upload(
        stack, anna, service.quality_service_id, fill(blank, {(second, "complex-care-plan"): 4})
    )
    assert [e["type"] for e in other.json()["errors"]] == ["window-all-claimed"]  # the window is taken

    queue = await stack.client.get(
        f"{API}/review/queue",
        params={"commissioner_organisation_id": stack.commissioner, "step": "Tier 1"},
        headers=anna,
    )
    assert sorted(i["claim_id"] for i in queue.json()["items"]) == sorted(
        c["claim_id"] for c in made.values()
    )
    claim_id = made[first]["claim_id"]
    seen = await stack.client.get(f"{API}/claims/{claim_id}", headers=provider_user)
    assert (seen.status_code, seen.json()["status"]) == (200, "Pending Tier 1 Review")

    own = await stack.client.post(f"{API}/review/claims/{claim_id}/approve", json={}, headers=anna)
    assert own.status_code == 403
    assert own.json()["title"] == "Segregation of duties"
    ben = commissioner(stack, "Local Approver Tier 1", unique("ben"))
    approved = await stack.client.post(f"{API}/review/claims/{claim_id}/approve", json={}, headers=ben)
    assert approved.json()["status"] == "Pending Tier 2 Review", approved.text
    done = await stack.client.post(f"{API}/review/claims/{claim_id}/approve", json={}, headers=tier_2)
    assert done.json()["status"] == "Approved", done.text
