"""A claim's whole journey through the nginx gateway, every hop on the real stack: participation's
events (Kafka) make the service claimable; the provider builds and submits a High band claim; Tier 1,
Tier 2 and Finance approve it; the day's payment batch goes to the payment system (the in-process
simulator answers over Kafka) and the claim is Paid."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cqrs_claims.claims.settings import ClaimsSettings
from cqrs_claims.harness import CONSUMED
from cqrs_claims.testing import complex_care, offer_accepted, published, quarter
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

HOST = "127.0.0.1"
API = "/api/claims"
PLANS = 259  # 259 plans at £193.42 and the £500 retainer: £50,595.78, High band (Finance approves)
TOTAL = PLANS * 19342 + 50000


@pytest.fixture
async def claims_process(infra: dict[str, str], tmp_path: Path) -> AsyncIterator[ServiceProcess]:
    """Claims on the port the gateway routes to, with no batch clock yet (the test restarts it with
    one). Refuses to run when something else (``make run``) already serves that port."""
    port = Layout.from_env().ports.service("claims")
    if port_in_use(HOST, port):
        pytest.fail(f"port {port} is in use (make run?): this test starts its own claims service there")
    base = isolated_settings("claims").model_dump()
    settings = ClaimsSettings(**{**base, "claims_payment_tick_seconds": 0, "claims_payment_simulator": True})
    await skip_history(settings.group, *CONSUMED)
    process = ServiceProcess("cqrs_claims.app", settings, port, tmp_path / "claims.log")
    process.start()
    try:
        await process.wait_ready()
        yield process
    finally:
        process.stop()


async def test_a_high_band_claim_from_submission_to_paid_through_the_gateway(
    claims_process: ServiceProcess, infra: dict[str, str]
) -> None:
    commissioner, provider = new_ods_code("Q"), new_ods_code("G")
    today = dt.datetime.now(dt.UTC).date()
    service = complex_care([quarter(today, window_id=unique("q"))], service_id=unique("qs-e2e")).model_copy(
        update={"commissioner_organisation_id": commissioner}
    )
    await publish(organisation(commissioner, "ICB"), organisation(provider, "GP Practice", commissioner))
    await publish(published(service), *offer_accepted(service, provider))
    preparer = bearer(grant("Local User (single-level)", provider))
    tier_1, tier_2, finance = (
        bearer(grant(role, commissioner))
        for role in ("Local Approver Tier 1", "Local Approver Tier 2", "Local Finance")
    )
    async with httpx.AsyncClient(base_url=infra["CQRS_GATEWAY_URL"], timeout=15) as gateway:

        async def drafted() -> Any:
            made = await gateway.post(
                f"{API}/claims",
                json={"provider_organisation_id": provider, "commissioner_organisation_id": commissioner},
                headers=preparer,
            )
            return made.json()["claim_id"] if made.status_code == 201 else None

        claim_id = await eventually(drafted, timeout=60)
        assert (await gateway.post(f"{API}/claims/{claim_id}/services", json={}, headers=preparer)).is_success
        assert (
            await gateway.post(f"{API}/claims/{claim_id}/components", json={}, headers=preparer)
        ).is_success
        submitted = await gateway.post(
            f"{API}/claims/{claim_id}/submit",
            json={"lines": [{"component_id": "complex-care-plan", "units": PLANS}]},
            headers=preparer,
        )
        assert submitted.status_code == 200, submitted.text
        assert (submitted.json()["status"], submitted.json()["total_pence"]) == (
            "Pending Tier 1 Review",
            TOTAL,
        )
        assert submitted.headers["X-Correlation-Id"]

        # The provider's place under the commissioner reaches claims on its own topic: the reviewers
        # see the claim once it has (a 404 until then, as for a claim outside their scope).
        async def in_scope() -> Any:
            seen = await gateway.get(f"{API}/review/claims/{claim_id}", headers=tier_1)
            return seen.status_code == 200 or None

        await eventually(in_scope, timeout=60)
        for who, status in (
            (tier_1, "Pending Tier 2 Review"),
            (tier_2, "Pending Finance Approval"),
            (finance, "Approved"),
        ):
            approved = await gateway.post(f"{API}/review/claims/{claim_id}/approve", json={}, headers=who)
            assert approved.status_code == 200, approved.text
            assert approved.json()["status"] == status
        assert approved.json()["review"]["value_band"] == "High"

        # The batch clock starts with a batch time already passed: today's batch goes at once.
        claims_process.stop()
        claims_process.start(
            {"CQRS_CLAIMS_PAYMENT_TICK_SECONDS": "1", "CQRS_CLAIMS_PAYMENT_BATCH_TIME": "00:00:00"}
        )
        await claims_process.wait_ready()

        async def paid() -> Any:
            seen = await gateway.get(f"{API}/claims/{claim_id}", headers=preparer)
            return seen.json() if seen.status_code == 200 and seen.json()["status"] == "Paid" else None

        await eventually(paid, timeout=90)
        detail = (await gateway.get(f"{API}/review/claims/{claim_id}", headers=finance)).json()
        batch_id = detail["payment"]["batch_id"]
        assert batch_id.startswith(f"{commissioner}-")
        batch = (await gateway.get(f"{API}/payment-batches/{batch_id}", headers=finance)).json()
        assert (batch["status"], batch["answered"], batch["total_pence"]) == ("Answered", [claim_id], TOTAL)
