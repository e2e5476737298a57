"""Check a Submit without submitting, on the real stack (Kafka, FerretDB): the portal's "Confirm that
you wish to submit the claim" page shows the claim as Submit would leave it, or every problem by
field, and nothing is stored either way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from cqrs_claims.harness import Stack, claims_stack
from cqrs_claims.testing import depot
from cqrs_kit.testing import eventually, unique

pytestmark = pytest.mark.integration

API = "/api/claims"
USER = "Local User (single-level)"


@pytest.fixture(scope="module")
async def stack(infra: dict[str, str]) -> AsyncIterator[Stack]:
    async with claims_stack(scan=False, claims_payment_tick_seconds=0) as running:
        yield running


async def _depot_claim(stack: Stack, provider: str, headers: dict[str, str]) -> str:
    service = depot([], service_id=unique("qs-check")).model_copy(
        update={"commissioner_organisation_id": stack.commissioner}
    )
    await stack.offer(service, provider)

    async def claimable() -> Any:
        body = (
            await stack.client.get(
                f"{API}/claims/availability", params={"provider_organisation_id": provider}, headers=headers
            )
        ).json()
        return any(s["quality_service_id"] == service.quality_service_id for s in body["services"])

    await eventually(claimable, timeout=30)
    made = await stack.client.post(
        f"{API}/claims",
        json={"provider_organisation_id": provider, "commissioner_organisation_id": stack.commissioner},
        headers=headers,
    )
    claim_id: str = made.json()["claim_id"]
    await stack.client.post(
        f"{API}/claims/{claim_id}/services",
        json={"quality_service_id": service.quality_service_id},
        headers=headers,
    )
    added = await stack.client.post(
        f"{API}/claims/{claim_id}/components",
        json={"quality_service_id": service.quality_service_id, "component_id": "depot-injection"},
        headers=headers,
    )
    assert added.status_code == 200, added.text
    return claim_id


async def test_check_shows_the_submitted_claim_or_every_problem_and_stores_nothing(stack: Stack) -> None:
    provider, other = stack.practices
    headers = stack.user(USER, provider)
    claim_id = await _depot_claim(stack, provider, headers)
    before = (await stack.client.get(f"{API}/claims/{claim_id}", headers=headers)).json()

    refused = await stack.client.post(
        f"{API}/claims/{claim_id}/submit/check",
        json={"lines": [{"component_id": "depot-injection", "units": 2.5}]},
        headers=headers,
    )
    assert refused.status_code == 422, refused.text
    assert {(e["field"], e["type"]) for e in refused.json()["errors"]} == {
        ("lines.depot-injection.units", "units-fractional")
    }

    line = {"component_id": "depot-injection", "units": 7, "answers": [{"question_id": "qualified-staff"}]}
    missing = await stack.client.post(
        f"{API}/claims/{claim_id}/submit/check", json={"lines": [line]}, headers=headers
    )
    assert missing.status_code == 422, missing.text
    assert [e["field"] for e in missing.json()["errors"]] == ["lines.depot-injection.answers.qualified-staff"]

    line["answers"] = [{"question_id": "qualified-staff", "yes": True}]
    checked = await stack.client.post(
        f"{API}/claims/{claim_id}/submit/check", json={"lines": [line]}, headers=headers
    )
    assert checked.status_code == 200, checked.text
    preview = checked.json()
    assert (preview["status"], preview["total"], preview["lines"][0]["units"]) == (
        "Pending Tier 1 Review",
        "£105.00",
        7,
    )
    assert preview["version"] == before["version"]

    after = (await stack.client.get(f"{API}/claims/{claim_id}", headers=headers)).json()
    assert (after["status"], after["version"], after["lines"][0]["units"]) == (
        "Draft",
        before["version"],
        None,
    )
    history = (await stack.client.get(f"{API}/claims/{claim_id}/history", headers=headers)).json()
    assert "ClaimSubmitted" not in {h["event"] for h in history}

    stranger = stack.user(USER, other)
    hidden = await stack.client.post(
        f"{API}/claims/{claim_id}/submit/check", json={"lines": [line]}, headers=stranger
    )
    assert hidden.status_code in {403, 404}, hidden.text
