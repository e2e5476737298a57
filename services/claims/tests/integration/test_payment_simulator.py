"""The stand-in payment system `make run` turns on: a batch sent is answered through Kafka and the
claim reaches Paid without anyone publishing by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from cqrs_claims.harness import Stack, claims_stack
from cqrs_claims.review.wiring import payments_of
from cqrs_kit.testing import eventually

from .test_review_and_payment import API, at_three_pm, commissioner, decide, submitted_claim

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def stack(infra: dict[str, str]) -> AsyncIterator[Stack]:
    async with claims_stack(
        scan=False, claims_payment_tick_seconds=0, claims_payment_simulator=True
    ) as running:
        yield running


async def test_the_simulator_answers_a_batch_and_the_claim_is_paid(stack: Stack) -> None:
    claim_id, provider = await submitted_claim(stack, stack.practices[0], 2)
    await decide(stack, claim_id, "approve", commissioner(stack, "Local Approver Tier 1"))
    assert (await decide(stack, claim_id, "approve", commissioner(stack, "Local Approver Tier 2"))).json()[
        "status"
    ] == "Approved"
    await payments_of(stack.runtime).tick(at_three_pm())

    async def paid() -> Any:
        body = (await stack.client.get(f"{API}/claims/{claim_id}", headers=provider)).json()
        return body if body["status"] == "Paid" else None

    assert await eventually(paid, timeout=60)
