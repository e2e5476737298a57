"""The guide's claim journey on the real stack: participation's events build the catalogue,
+New Claim, Add All twice, the worked example, a retainer, a required answer, a clean PDF and an
EICAR file through the real scanning service and clamd."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from cqrs_claims.catalogue.domain import ServiceVersion
from cqrs_claims.harness import Stack, claims_stack
from cqrs_claims.testing import complex_care, depot, ear_irrigation, quarter
from cqrs_kit.testing import eventually, unique
from cqrs_scanning import samples

pytestmark = pytest.mark.integration

USER = "Local User (single-level)"
API = "/api/claims"


@pytest.fixture(scope="module")
async def stack(infra: dict[str, str]) -> AsyncIterator[Stack]:
    async with claims_stack() as running:
        yield running


def _mine(service: ServiceVersion, stack: Stack) -> ServiceVersion:
    return service.model_copy(update={"commissioner_organisation_id": stack.commissioner})


async def _guide_services(stack: Stack, provider: str) -> dict[str, str]:
    today = dt.datetime.now(dt.UTC).date()
    q1 = [quarter(today, window_id=unique("q"))]
    services = {
        "care": _mine(complex_care(q1, service_id=unique("qs-care")), stack),
        "ear": _mine(ear_irrigation(q1, service_id=unique("qs-ear")), stack),
        "depot": _mine(depot(q1, service_id=unique("qs-depot")), stack),
    }
    for service in services.values():
        await stack.offer(service, provider)
    return {k: s.quality_service_id for k, s in services.items()}


async def _available(stack: Stack, provider: str, headers: dict[str, str], count: int) -> Any:
    async def check() -> Any:
        answer = await stack.client.get(
            f"{API}/claims/availability", params={"provider_organisation_id": provider}, headers=headers
        )
        body = answer.json()
        return body if answer.status_code == 200 and len(body["services"]) == count else None

    return await eventually(check, timeout=30)


async def _upload(
    client: httpx.AsyncClient,
    claim_id: str,
    component: str,
    name: str,
    data: bytes,
    *,
    headers: dict[str, str],
) -> httpx.Response:
    files = {"file": (name, data, "application/pdf")}
    return await client.post(
        f"{API}/claims/{claim_id}/components/{component}/attachments", files=files, headers=headers
    )


async def _status(stack: Stack, claim_id: str, headers: dict[str, str], wanted: str) -> dict[str, Any]:
    async def check() -> Any:
        body = (await stack.client.get(f"{API}/claims/{claim_id}", headers=headers)).json()
        return body if body["status"] == wanted else None

    result: dict[str, Any] = await eventually(check, timeout=60)
    return result


async def _build(stack: Stack, provider: str, headers: dict[str, str]) -> str:
    made = await stack.client.post(
        f"{API}/claims",
        json={"provider_organisation_id": provider, "commissioner_organisation_id": stack.commissioner},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    claim_id: str = made.json()["claim_id"]
    assert claim_id.isdigit()
    assert made.json()["status"] == "Draft"
    pane = await stack.client.post(f"{API}/claims/{claim_id}/services", json={}, headers=headers)
    assert sorted((s["service_name"], s["component_count"]) for s in pane.json()) == [
        ("Complex Care", 2),
        ("Depot Antipsychotic Injections", 1),
        ("Ear Irrigation", 1),
    ]
    added = await stack.client.post(f"{API}/claims/{claim_id}/components", json={}, headers=headers)
    assert len(added.json()["lines"]) == 4, added.text
    return claim_id


async def test_the_guides_claim_goes_through_scanning_to_tier_1(stack: Stack) -> None:
    provider = stack.practices[0]
    headers = stack.user(USER, provider)
    await _guide_services(stack, provider)
    availability = await _available(stack, provider, headers, 3)
    assert availability["available"] is True
    claim_id = await _build(stack, provider, headers)
    # Submit with everything wrong at once: every problem by field, nothing stored.
    before = (await stack.client.get(f"{API}/claims/{claim_id}", headers=headers)).json()
    refused = await stack.client.post(
        f"{API}/claims/{claim_id}/submit",
        json={
            "lines": [
                {"component_id": "complex-care-plan", "units": 1.5},
                {"component_id": "ear-irrigation", "units": 2},
            ]
        },
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    fields = {e["field"]: e["type"] for e in refused.json()["errors"]}
    assert fields == {
        "lines.complex-care-plan.units": "units-fractional",
        "lines.ear-irrigation.attachments": "evidence-missing",
        "lines.depot-injection.units": "units-missing",
    }
    after = (await stack.client.get(f"{API}/claims/{claim_id}", headers=headers)).json()
    assert after == before
    # A file of a type the requirement does not accept is refused before anything is stored.
    wrong = await stack.client.post(
        f"{API}/claims/{claim_id}/components/ear-irrigation/attachments",
        files={
            "file": (
                "practices.xlsx",
                b"PK\x03\x04",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
        headers=headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "file"
    uploaded = await _upload(
        stack.client,
        claim_id,
        "ear-irrigation",
        "practices.pdf",
        samples.pdf(["Registered practice: A81001"]),
        headers=headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    attachment = uploaded.json()
    assert attachment["status"] in {"Pending System Review", "Clean"}
    lines = [
        {"component_id": "complex-care-plan", "units": 12},
        {"component_id": "ear-irrigation", "units": 2},
        {
            "component_id": "depot-injection",
            "units": 3,
            "answers": [{"question_id": "qualified-staff", "yes": True}],
        },
    ]
    submitted = await stack.client.post(
        f"{API}/claims/{claim_id}/submit", json={"lines": lines}, headers=headers
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] in {"Pending System Review", "Pending Tier 1 Review"}
    detail = await _status(stack, claim_id, headers, "Pending Tier 1 Review")
    plan = next(line for line in detail["lines"] if line["component_id"] == "complex-care-plan")
    assert (plan["value_pence"], plan["value"]) == (232104, "£2,321.04")
    retainer = next(line for line in detail["lines"] if line["component_id"] == "care-retainer")
    assert (retainer["value_pence"], retainer["information_note"]) == (
        50000,
        "Paid quarterly while the practice covers its care homes.",
    )
    assert detail["total_pence"] == 232104 + 50000 + 2 * 2500 + 3 * 1500
    assert [a["status"] for a in detail["attachments"]] == ["Clean"]
    download = await stack.client.get(
        f"{API}/claims/{claim_id}/attachments/{attachment['attachment_id']}/file", headers=headers
    )
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")
    # Deleting an attachment of a claim under review is refused.
    gone = await stack.client.delete(
        f"{API}/claims/{claim_id}/attachments/{attachment['attachment_id']}", headers=headers
    )
    assert gone.status_code == 409
    # The window is now claimed for all three services: no +New Claim, and the guide's reason.
    again = (
        await stack.client.get(
            f"{API}/claims/availability", params={"provider_organisation_id": provider}, headers=headers
        )
    ).json()
    assert (again["available"], again["reason"]) == (False, "all_claimed")
    listed = await stack.client.get(
        f"{API}/claims",
        params={"provider_organisation_id": provider, "status": "Pending Tier 1 Review"},
        headers=headers,
    )
    assert [c["claim_id"] for c in listed.json()["items"]] == [claim_id]
    # The history shows every step, who took it and when, the scan's verdict included.
    history = (await stack.client.get(f"{API}/claims/{claim_id}/history", headers=headers)).json()
    events = [entry["event"] for entry in history]
    assert events[0] == "ClaimDrafted"
    assert {"ClaimSubmitted", "AttachmentUploaded", "ClaimReadyForTier1Review"} <= set(events)
    assert all(entry["at"] for entry in history)
    # Who: the user's id and the name their token gave; the scanner and the system have no name.
    drafted = history[0]
    assert drafted["actor_name"] == "Test User"
    by_people = [e for e in history if e["actor"] == drafted["actor"]]
    assert {e["actor_name"] for e in by_people} == {"Test User"}
    by_systems = [e for e in history if e["actor"] != drafted["actor"]]
    assert by_systems
    assert {e["actor_name"] for e in by_systems} == {None}


async def test_an_eicar_attachment_returns_the_claim_with_the_reason(stack: Stack) -> None:
    provider = stack.practices[1]
    headers = stack.user(USER, provider)
    await _guide_services(stack, provider)
    await _available(stack, provider, headers, 3)
    claim_id = await _build(stack, provider, headers)
    uploaded = await _upload(
        stack.client, claim_id, "ear-irrigation", "evidence.pdf", samples.eicar(), headers=headers
    )
    assert uploaded.status_code == 201, uploaded.text
    lines = [
        {"component_id": "complex-care-plan", "units": 0},
        {"component_id": "ear-irrigation", "units": 1},
        {"component_id": "depot-injection", "units": 0},
    ]
    submitted = await stack.client.post(
        f"{API}/claims/{claim_id}/submit", json={"lines": lines}, headers=headers
    )
    assert submitted.status_code == 200, submitted.text
    detail = await _status(stack, claim_id, headers, "Returned")
    (reason,) = detail["returned_reasons"]
    assert "evidence.pdf" in reason
    assert "Eicar" in reason
    (attachment,) = detail["attachments"]
    assert attachment["status"] == "Infected"
    assert attachment["downloadable"] is False
    refused = await stack.client.get(
        f"{API}/claims/{claim_id}/attachments/{attachment['attachment_id']}/file", headers=headers
    )
    assert refused.status_code == 422
    # Returned: the provider deletes the infected file (allowed now).
    deleted = await stack.client.delete(
        f"{API}/claims/{claim_id}/attachments/{attachment['attachment_id']}", headers=headers
    )
    assert deleted.status_code == 204


async def test_delete_leaves_no_trace_for_the_provider(stack: Stack) -> None:
    provider = stack.practices[0]
    headers = stack.user(USER, provider)
    today = dt.datetime.now(dt.UTC).date()
    service = _mine(depot([], service_id=unique("qs-addplus")), stack)
    await stack.offer(service, provider)

    async def ready() -> Any:
        body = (
            await stack.client.get(
                f"{API}/claims/availability", params={"provider_organisation_id": provider}, headers=headers
            )
        ).json()
        return any(s["quality_service_id"] == service.quality_service_id for s in body["services"])

    await eventually(ready)
    made = await stack.client.post(
        f"{API}/claims",
        json={"provider_organisation_id": provider, "commissioner_organisation_id": stack.commissioner},
        headers=headers,
    )
    claim_id = made.json()["claim_id"]
    assert int(claim_id) > 0
    assert today
    await stack.client.post(
        f"{API}/claims/{claim_id}/services",
        json={"quality_service_id": service.quality_service_id},
        headers=headers,
    )
    add_all = await stack.client.post(f"{API}/claims/{claim_id}/components", json={}, headers=headers)
    assert add_all.status_code == 422  # no windows: Add+ one at a time
    add_one = await stack.client.post(
        f"{API}/claims/{claim_id}/components",
        json={"quality_service_id": service.quality_service_id, "component_id": "depot-injection"},
        headers=headers,
    )
    assert [line["component_id"] for line in add_one.json()["lines"]] == ["depot-injection"]
    assert (await stack.client.delete(f"{API}/claims/{claim_id}", headers=headers)).status_code == 204
    assert (await stack.client.get(f"{API}/claims/{claim_id}", headers=headers)).status_code == 404
    listed = (
        await stack.client.get(
            f"{API}/claims", params={"provider_organisation_id": provider}, headers=headers
        )
    ).json()
    assert claim_id not in [c["claim_id"] for c in listed["items"]]


async def test_other_organisations_cannot_see_a_claim(stack: Stack) -> None:
    provider, other = stack.practices
    headers = stack.user(USER, provider)
    service = _mine(depot([], service_id=unique("qs-private")), stack)
    await stack.offer(service, provider)

    async def made() -> Any:
        answer = await stack.client.post(
            f"{API}/claims",
            json={
                "provider_organisation_id": provider,
                "quality_service_id": None,
                "commissioner_organisation_id": stack.commissioner,
            },
            headers=headers,
        )
        return answer.json()["claim_id"] if answer.status_code == 201 else None

    claim_id = await eventually(made)
    outsider = stack.user(USER, other)
    assert (await stack.client.get(f"{API}/claims/{claim_id}", headers=outsider)).status_code == 404
    refused = await stack.client.get(
        f"{API}/claims", params={"provider_organisation_id": provider}, headers=outsider
    )
    assert refused.status_code == 403
    commissioner = stack.user("Local Approver Tier 1", stack.commissioner)
    assert (await stack.client.get(f"{API}/claims/{claim_id}", headers=commissioner)).status_code == 200
    elsewhere = stack.user("Local Approver Tier 1", "QXX")
    assert (await stack.client.get(f"{API}/claims/{claim_id}", headers=elsewhere)).status_code == 404
    assert (await stack.client.get(f"{API}/claims/{claim_id}")).status_code == 401
