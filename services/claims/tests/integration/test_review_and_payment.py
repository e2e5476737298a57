"""Review and payment on the real stack (Kafka, FerretDB): a High band claim from submission through
Tier 1, Tier 2 and Finance, the 15:00 payment batch (an injected clock, no waiting), the payment
system's answers through Kafka (repeated), the queues and their filters, segregation of duties,
return and resubmit, a failed payment, re-sends at 18 h and the flag."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cqrs_claims.harness import Stack, claims_stack
from cqrs_claims.payments.store import BATCHES
from cqrs_claims.review.wiring import payments_of
from cqrs_claims.testing import complex_care, quarter
from cqrs_contracts.envelope import from_kafka_headers
from cqrs_contracts.events import PaymentConfirmed, PaymentFailed
from cqrs_contracts.registry import deserialize
from cqrs_contracts.topics import CLAIMS_PAYMENT
from cqrs_kit.testing import bearer, eventually, grant, read_topic, unique

pytestmark = pytest.mark.integration
API = "/api/claims"
USER = "Local User (single-level)"
PLANS_HIGH = 259
TOTAL = 259 * 19342 + 50000  # 259 plans at £193.42 and the £500 retainer: £50,595.78, High band
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
async def stack(infra: dict[str, str]) -> AsyncIterator[Stack]:
    async with claims_stack(scan=False, claims_payment_tick_seconds=0) as running:
        yield running


async def _service(stack: Stack, provider: str) -> str:
    today = dt.datetime.now(dt.UTC).date()
    service = complex_care([quarter(today, window_id=unique("q"))], service_id=unique("qs-care")).model_copy(
        update={"commissioner_organisation_id": stack.commissioner}
    )
    await stack.offer(service, provider)
    return service.quality_service_id


async def submitted_claim(stack: Stack, provider: str, plans: int) -> tuple[str, dict[str, str]]:
    """A claim submitted by the provider (no files, so straight to Pending Tier 1 Review)."""
    headers = stack.user(USER, provider)
    await _service(stack, provider)

    async def draft() -> Any:
        made = await stack.client.post(
            f"{API}/claims",
            json={"provider_organisation_id": provider, "commissioner_organisation_id": stack.commissioner},
            headers=headers,
        )
        return made.json() if made.status_code == 201 else None

    claim_id = (await eventually(draft, timeout=30))["claim_id"]
    await stack.client.post(f"{API}/claims/{claim_id}/services", json={}, headers=headers)
    await stack.client.post(f"{API}/claims/{claim_id}/components", json={}, headers=headers)
    done = await stack.client.post(
        f"{API}/claims/{claim_id}/submit",
        json={"lines": [{"component_id": "complex-care-plan", "units": plans}]},
        headers=headers,
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "Pending Tier 1 Review"
    return claim_id, headers


def commissioner(stack: Stack, *roles: str, user_id: str | None = None) -> dict[str, str]:
    return bearer(*(grant(r, stack.commissioner) for r in roles), user_id=user_id or unique("c"))


async def decide(stack: Stack, claim_id: str, decision: str, who: dict[str, str], **body: str) -> Any:
    return await stack.client.post(f"{API}/review/claims/{claim_id}/{decision}", json=body, headers=who)


async def queue(stack: Stack, who: dict[str, str], step: str, **filters: Any) -> dict[str, Any]:
    params = {"commissioner_organisation_id": stack.commissioner, "step": step, **filters}
    answer = await stack.client.get(f"{API}/review/queue", params=params, headers=who)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def at_three_pm(day_offset: int = 0) -> dt.datetime:
    day = dt.datetime.now(LONDON).date() + dt.timedelta(days=day_offset)
    return dt.datetime.combine(day, dt.time(15, 0), tzinfo=LONDON).astimezone(dt.UTC)


async def test_a_high_band_claim_goes_through_three_steps_and_the_batch_to_paid(stack: Stack) -> None:
    provider = stack.practices[0]
    claim_id, provider_headers = await submitted_claim(stack, provider, PLANS_HIGH)
    tier_1 = commissioner(stack, "Local Approver Tier 1", "Local Approver Tier 2")
    tier_2 = commissioner(stack, "Local Approver Tier 2")
    finance = commissioner(stack, "Local Finance")

    listed = await queue(stack, tier_1, "Tier 1", provider_organisation_id=provider)
    assert [i["claim_id"] for i in listed["items"]] == [claim_id]
    assert (listed["items"][0]["value_band"], listed["items"][0]["total_pence"]) == ("High", TOTAL)
    assert (await queue(stack, tier_1, "Tier 1", value_band="Low", provider_organisation_id=provider))[
        "total"
    ] == 0
    assert (await queue(stack, tier_1, "Tier 1", min_age_days=1, provider_organisation_id=provider))[
        "total"
    ] == 0
    # A provider cannot approve, nor a Tier 2 approver at Tier 1.
    assert (await decide(stack, claim_id, "approve", provider_headers)).status_code == 403
    assert (await decide(stack, claim_id, "approve", tier_2)).status_code == 403
    detail = await stack.client.get(f"{API}/review/claims/{claim_id}", headers=tier_1)
    assert detail.json()["review"]["role"] == "Local Approver Tier 1"

    approved = await decide(stack, claim_id, "approve", tier_1)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "Pending Tier 2 Review"
    assert (await queue(stack, tier_2, "Tier 2", provider_organisation_id=provider))["total"] == 1
    # The Tier 1 approver holds Tier 2 as well, but may not sign off a second step.
    twice = await decide(stack, claim_id, "approve", tier_1)
    assert twice.status_code == 403
    assert twice.json()["title"] == "Segregation of duties"
    # Tier 2 cannot return a claim to the provider (the default flow lets Tier 1 only).
    assert (await decide(stack, claim_id, "return", tier_2, reason="Why")).status_code == 409
    assert (await decide(stack, claim_id, "approve", tier_2)).json()["status"] == "Pending Finance Approval"
    paid_by_finance = await decide(stack, claim_id, "approve", finance)
    assert paid_by_finance.json()["status"] == "Approved"
    assert [s["step"] for s in paid_by_finance.json()["review"]["sign_offs"]] == [
        "Tier 1",
        "Tier 2",
        "Finance",
    ]

    payments = payments_of(stack.runtime)
    await payments.tick(at_three_pm() - dt.timedelta(seconds=1))
    assert await stack.runtime.mongo.collection(BATCHES).count_documents({}) == 0  # not 15:00 yet
    await payments.tick(at_three_pm())
    detail = (await stack.client.get(f"{API}/claims/{claim_id}", headers=provider_headers)).json()
    assert detail["status"] == "Sent for Payment"
    batch_id = f"{stack.commissioner}-{at_three_pm().astimezone(LONDON):%Y%m%d}"

    def sent(records: list[Any]) -> bool:
        return any(r.key == batch_id.encode() for r in records)

    records = [r for r in await read_topic(CLAIMS_PAYMENT, until=sent) if r.key == batch_id.encode()]
    event = deserialize(from_kafka_headers(records[0].headers).type, records[0].value or b"")
    assert event.items[0].claim_id == claim_id  # type: ignore[attr-defined]
    assert event.items[0].paycode.startswith("LCL-")  # type: ignore[attr-defined]
    assert event.total_pence == TOTAL  # type: ignore[attr-defined]
    exported = await stack.client.get(f"{API}/payment-batches/{batch_id}/csv", headers=finance)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["claim_id"], r["provider_organisation_id"], r["amount_pence"], r["amount"]) for r in rows] == [
        (claim_id, provider, str(TOTAL), "50595.78")
    ]
    assert (
        await stack.client.get(f"{API}/payment-batches/{batch_id}/csv", headers=provider_headers)
    ).status_code == 404

    confirmation = PaymentConfirmed(
        batch_id=batch_id,
        claim_id=claim_id,
        amount_pence=TOTAL,
        payment_reference="PCSE-42",
        paid_at=dt.datetime.now(dt.UTC),
    )
    await stack.publish([confirmation, confirmation], source="/cqrs/pcse")

    async def paid() -> Any:
        body = (await stack.client.get(f"{API}/review/claims/{claim_id}", headers=finance)).json()
        return body if body["status"] == "Paid" else None

    body = await eventually(paid, timeout=30)
    assert body["payment"]["payment_reference"] == "PCSE-42"
    batch = (await stack.client.get(f"{API}/payment-batches/{batch_id}", headers=finance)).json()
    assert (batch["status"], batch["answered"]) == ("Answered", [claim_id])
    await payments.tick(at_three_pm() + dt.timedelta(days=2))  # an answered batch is not re-sent
    assert (await stack.client.get(f"{API}/payment-batches/{batch_id}", headers=finance)).json()[
        "attempts"
    ] == 1


async def test_return_resubmit_reject_and_a_failed_payment(stack: Stack) -> None:
    provider = stack.practices[1]
    claim_id, provider_headers = await submitted_claim(stack, provider, 3)
    tier_1 = commissioner(stack, "Local Approver Tier 1")
    refused = await decide(stack, claim_id, "return", tier_1, reason="")
    assert refused.status_code == 422
    returned = await decide(stack, claim_id, "return", tier_1, reason="Attach the care plans")
    assert returned.json()["status"] == "Returned"
    seen = (await stack.client.get(f"{API}/claims/{claim_id}", headers=provider_headers)).json()
    assert seen["returned_reasons"] == ["Attach the care plans"]
    again = await stack.client.post(
        f"{API}/claims/{claim_id}/submit",
        json={"lines": [{"component_id": "complex-care-plan", "units": 4}]},
        headers=provider_headers,
    )
    assert again.json()["status"] == "Pending Tier 1 Review"
    assert (await decide(stack, claim_id, "approve", tier_1)).json()["status"] == "Pending Tier 2 Review"
    tier_2 = commissioner(stack, "Local Approver Tier 2")
    assert (await decide(stack, claim_id, "approve", tier_2)).json()[
        "status"
    ] == "Approved"  # Low: no Finance

    payments = payments_of(stack.runtime)
    day = at_three_pm(1)
    await payments.tick(day)
    batch_id = f"{stack.commissioner}-{day.astimezone(LONDON):%Y%m%d}"
    for hours, attempts in ((17, 1), (18, 2), (36, 3), (54, 4)):
        await payments.tick(day + dt.timedelta(hours=hours))
        finance = commissioner(stack, "Local Finance")
        batch = (await stack.client.get(f"{API}/payment-batches/{batch_id}", headers=finance)).json()
        assert (batch["attempts"], batch["status"]) == (attempts, "Sent")
    await payments.tick(day + dt.timedelta(hours=72))
    flagged = await stack.client.get(
        f"{API}/payment-batches",
        params={"commissioner_organisation_id": stack.commissioner, "status": "Flagged"},
        headers=finance,
    )
    assert [b["batch_id"] for b in flagged.json()["items"]] == [batch_id]

    failure = PaymentFailed(
        batch_id=batch_id,
        claim_id=claim_id,
        reason="Bank details not held",
        failed_at=dt.datetime.now(dt.UTC),
    )
    await stack.publish([failure, failure], source="/cqrs/pcse")

    async def back() -> Any:
        body = (await stack.client.get(f"{API}/review/claims/{claim_id}", headers=tier_2)).json()
        return body if body["status"] == "Pending Tier 2 Review" else None

    body = await eventually(back, timeout=30)
    assert body["review"]["reason"] == "Payment failed: Bank details not held"
    assert [s["step"] for s in body["review"]["sign_offs"]] == ["Tier 1"]
    rejected = await decide(stack, claim_id, "reject", tier_2, reason="Paid outside CQRS")
    assert rejected.json()["status"] == "Rejected"
    assert (await decide(stack, claim_id, "approve", tier_2)).status_code == 409
