"""The guide's claim submission through the nginx gateway, every hop on the real stack: participation's
events (Kafka) make three services claimable; the provider takes +New Claim, Add All twice, enters the
worked example (12 plans at GBP 193.42), a retainer and a required answer, uploads a clean PDF as the
mandatory evidence, and submits; the scanning service (clamd) clears the file and the claim reaches
Pending Tier 1 Review. A second provider's EICAR evidence returns its claim with the scanner's reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cqrs_claims.claims.settings import ClaimsSettings
from cqrs_claims.harness import CONSUMED
from cqrs_claims.testing import complex_care, depot, ear_irrigation, offer_accepted, published, quarter
from cqrs_kit.testing import (
    ServiceProcess,
    bearer,
    eventually,
    grant,
    isolated_settings,
    new_ods_code,
    organisation,
    publish,
    skip_history,
    unique,
)
from cqrs_local.config import Layout
from cqrs_local.probes import port_in_use
from cqrs_scanning import samples
from cqrs_scanning.testing import scanning_service

HOST = "127.0.0.1"
API = "/api/claims"
PREPARER = "Local User (single-level)"


@pytest.fixture
async def claims_and_scanning(infra: dict[str, str], tmp_path: Path) -> AsyncIterator[ServiceProcess]:
    """Claims on the port the gateway routes to, and scanning reading claims' bucket. Refuses to run
    when something else (``make run``) already serves that port."""
    port = Layout.from_env().ports.service("claims")
    if port_in_use(HOST, port):
        pytest.fail(f"port {port} is in use (make run?): this test starts its own claims service there")
    bucket = unique("e2e-evidence")
    base = isolated_settings("claims").model_dump()
    settings = ClaimsSettings(
        **{**base, "claims_payment_tick_seconds": 0, "claims_attachment_bucket": bucket}
    )
    await skip_history(settings.group, *CONSUMED)
    process = ServiceProcess("cqrs_claims.app", settings, port, tmp_path / "claims.log")
    async with scanning_service(scan_upload_buckets=[bucket]) as scanning:
        await scanning.s3.ensure_buckets([bucket])
        process.start()
        try:
            await process.wait_ready()
            yield process
        finally:
            process.stop()


async def _offered(commissioner: str, provider: str) -> None:
    today = dt.datetime.now(dt.UTC).date()
    window = [quarter(today, window_id=unique("q"))]
    for service in (
        complex_care(window, service_id=unique("qs-care")),
        ear_irrigation(window, service_id=unique("qs-ear")),
        depot(window, service_id=unique("qs-depot")),
    ):
        mine = service.model_copy(update={"commissioner_organisation_id": commissioner})
        await publish(published(mine), *offer_accepted(mine, provider))


async def _drafted(
    gateway: httpx.AsyncClient, commissioner: str, provider: str, headers: dict[str, str]
) -> str:
    """+New Claim once all three services are claimable, then Add All (services) and Add All (components)."""

    async def available() -> Any:
        answer = await gateway.get(
            f"{API}/claims/availability", params={"provider_organisation_id": provider}, headers=headers
        )
        body = answer.json() if answer.status_code == 200 else {}
        return body if len(body.get("services", [])) == 3 else None

    assert (await eventually(available, timeout=60))["available"] is True
    made = await gateway.post(
        f"{API}/claims",
        json={"provider_organisation_id": provider, "commissioner_organisation_id": commissioner},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    claim_id: str = made.json()["claim_id"]
    pane = await gateway.post(f"{API}/claims/{claim_id}/services", json={}, headers=headers)
    assert sorted(s["component_count"] for s in pane.json()) == [1, 1, 2], pane.text
    added = await gateway.post(f"{API}/claims/{claim_id}/components", json={}, headers=headers)
    assert len(added.json()["lines"]) == 4, added.text
    return claim_id


async def _upload(
    gateway: httpx.AsyncClient, claim_id: str, name: str, data: bytes, headers: dict[str, str]
) -> dict[str, Any]:
    uploaded = await gateway.post(
        f"{API}/claims/{claim_id}/components/ear-irrigation/attachments",
        files={"file": (name, data, "application/pdf")},
        headers=headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    body: dict[str, Any] = uploaded.json()
    return body


async def _reaches(
    gateway: httpx.AsyncClient, claim_id: str, headers: dict[str, str], status: str
) -> dict[str, Any]:
    async def check() -> Any:
        seen = await gateway.get(f"{API}/claims/{claim_id}", headers=headers)
        return seen.json() if seen.status_code == 200 and seen.json()["status"] == status else None

    found: dict[str, Any] = await eventually(check, timeout=90)
    return found


async def test_the_guides_claim_and_an_eicar_claim_through_the_gateway(
    claims_and_scanning: ServiceProcess, infra: dict[str, str]
) -> None:
    commissioner, provider, other = new_ods_code("Q"), new_ods_code("G"), new_ods_code("G")
    await publish(
        organisation(commissioner, "ICB"),
        organisation(provider, "GP Practice", commissioner),
        organisation(other, "GP Practice", commissioner),
    )
    await _offered(commissioner, provider)
    await _offered(commissioner, other)
    headers, other_headers = bearer(grant(PREPARER, provider)), bearer(grant(PREPARER, other))
    async with httpx.AsyncClient(base_url=infra["CQRS_GATEWAY_URL"], timeout=15) as gateway:
        claim_id = await _drafted(gateway, commissioner, provider, headers)
        # The required answer missing and no evidence: every problem at once, nothing stored.
        lines: list[dict[str, Any]] = [
            {"component_id": "complex-care-plan", "units": 12},
            {"component_id": "ear-irrigation", "units": 2},
            {"component_id": "depot-injection", "units": 3},
        ]
        refused = await gateway.post(
            f"{API}/claims/{claim_id}/submit", json={"lines": lines}, headers=headers
        )
        assert refused.status_code == 422, refused.text
        fields = {e["field"] for e in refused.json()["errors"]}
        assert "lines.ear-irrigation.attachments" in fields
        assert any(f.startswith("lines.depot-injection.answers") for f in fields), fields
        clean = await _upload(gateway, claim_id, "register.pdf", samples.pdf(["Practice register"]), headers)
        lines[2]["answers"] = [{"question_id": "qualified-staff", "yes": True}]
        submitted = await gateway.post(
            f"{API}/claims/{claim_id}/submit", json={"lines": lines}, headers=headers
        )
        assert submitted.status_code == 200, submitted.text
        assert submitted.headers["X-Correlation-Id"]
        detail = await _reaches(gateway, claim_id, headers, "Pending Tier 1 Review")
        by_component = {line["component_id"]: line for line in detail["lines"]}
        assert by_component["complex-care-plan"]["value"] == "£2,321.04"
        assert by_component["care-retainer"]["value_pence"] == 50000
        assert by_component["care-retainer"]["information_note"]
        assert detail["total_pence"] == 232104 + 50000 + 2 * 2500 + 3 * 1500
        assert [(a["attachment_id"], a["status"]) for a in detail["attachments"]] == [
            (clean["attachment_id"], "Clean")
        ]
        download = await gateway.get(
            f"{API}/claims/{claim_id}/attachments/{clean['attachment_id']}/file", headers=headers
        )
        assert download.status_code == 200
        assert download.content.startswith(b"%PDF")

        # The other provider's evidence is the EICAR test file: its claim comes back with the reason.
        eicar_claim = await _drafted(gateway, commissioner, other, other_headers)
        infected = await _upload(gateway, eicar_claim, "evidence.pdf", samples.eicar(), other_headers)
        eicar_lines = [
            {"component_id": "complex-care-plan", "units": 0},
            {"component_id": "ear-irrigation", "units": 1},
            {"component_id": "depot-injection", "units": 0},
        ]
        sent = await gateway.post(
            f"{API}/claims/{eicar_claim}/submit", json={"lines": eicar_lines}, headers=other_headers
        )
        assert sent.status_code == 200, sent.text
        returned = await _reaches(gateway, eicar_claim, other_headers, "Returned")
        (reason,) = returned["returned_reasons"]
        assert "evidence.pdf" in reason
        assert "Eicar" in reason
        (attachment,) = returned["attachments"]
        assert (attachment["attachment_id"], attachment["status"]) == (infected["attachment_id"], "Infected")
        never = await gateway.get(
            f"{API}/claims/{eicar_claim}/attachments/{infected['attachment_id']}/file", headers=other_headers
        )
        assert never.status_code == 422
        # Neither provider sees the other's claim.
        hidden = await gateway.get(f"{API}/claims/{claim_id}", headers=other_headers)
        assert hidden.status_code in {403, 404}
