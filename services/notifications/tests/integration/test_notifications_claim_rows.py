"""The review and payment rows on the real stack: a claim waiting at a step is a task for that
step's role at the commissioner, closed by the step's last sign-off or a decision; returned, rejected
and paid claims are messages to the provider's claim users; a flagged batch is a task for Finance."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from cqrs_contracts.events import (
    ClaimApprovedAtStep,
    ClaimAwaitingReview,
    ClaimPaid,
    ClaimRejected,
    ClaimReturned,
    PaymentBatchFlagged,
)
from cqrs_kit.testing import eventually
from cqrs_kit.testing_mail import body_of

from .conftest import Centre

NOW = dt.datetime.now(dt.UTC)


def common(centre: Centre, claim_id: str) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "provider_organisation_id": centre.orgs["P1"],
        "commissioner_organisation_id": centre.orgs["ICB"],
    }


def waiting(centre: Centre, claim_id: str, step: str, role: str, number: int) -> ClaimAwaitingReview:
    return ClaimAwaitingReview(
        **common(centre, claim_id),
        step=step,
        step_number=number,
        steps=["Tier 1", "Tier 2", "Finance"],
        role=role,
        status="Pending Tier 1 Review",
        sign_offs_needed=1,
        total_pence=5_059_578,
        value_band="High",
        awaiting_since=NOW,
    )


def signed(centre: Centre, claim_id: str, step: str, given: int, needed: int) -> ClaimApprovedAtStep:
    return ClaimApprovedAtStep(
        **common(centre, claim_id),
        step=step,
        step_number=1,
        sign_offs_given=given,
        sign_offs_needed=needed,
        approved_by="t1",
        approved_at=NOW,
    )


async def test_a_claim_at_each_step_is_a_task_for_that_steps_role_closed_by_its_sign_off(
    centre: Centre,
) -> None:
    tier_1 = await centre.user(("Local Approver Tier 1", centre.orgs["ICB"]))
    tier_2 = await centre.user(("Local Approver Tier 2", centre.orgs["ICB"]))
    elsewhere = await centre.user(("Local Approver Tier 1", centre.orgs["ICB2"]))
    claim_id = str(uuid.uuid4())[:8]
    await centre.deliver(waiting(centre, claim_id, "Tier 1", "Local Approver Tier 1", 1))
    [task] = (await centre.items(tier_1, kind="task", status="open"))["items"]
    assert (task["category"], task["title"]) == (
        "claim-to-review",
        f"Review claim {claim_id} of {centre.orgs['P1']} (Tier 1)",
    )
    assert (await centre.items(tier_2))["total"] == 0
    assert (await centre.items(elsewhere))["total"] == 0
    await centre.send_due_emails()
    [mail] = await eventually(lambda: centre.mails(tier_1), timeout=10)
    assert "£50,595.78" in body_of(mail)
    await centre.deliver(signed(centre, claim_id, "Tier 1", 1, 2))  # one of two sign-offs: still open
    assert (await centre.items(tier_1, kind="task", status="open"))["total"] == 1
    await centre.deliver(signed(centre, claim_id, "Tier 1", 2, 2))
    assert (await centre.items(tier_1, kind="task", status="open"))["total"] == 0
    await centre.deliver(waiting(centre, claim_id, "Tier 2", "Local Approver Tier 2", 2))
    assert (await centre.items(tier_2, kind="task", status="open"))["total"] == 1
    assert (await centre.items(tier_1, kind="task", status="open"))["total"] == 0


async def test_rejected_is_a_message_to_the_provider_and_closes_the_step(centre: Centre) -> None:
    tier_2 = await centre.user(("Local Approver Tier 2", centre.orgs["ICB"]))
    maker = await centre.user(("Local User (single-level)", centre.orgs["P1"]))
    other = await centre.user(("Local User (single-level)", centre.orgs["P2"]))
    claim_id = str(uuid.uuid4())[:8]
    await centre.deliver(waiting(centre, claim_id, "Tier 2", "Local Approver Tier 2", 2))
    await centre.deliver(
        ClaimRejected(
            **common(centre, claim_id),
            step="Tier 2",
            reason="Not commissioned",
            rejected_by="t2",
            rejected_at=NOW,
        )
    )
    assert (await centre.items(tier_2, kind="task", status="open"))["total"] == 0
    [message] = (await centre.items(maker, kind="message"))["items"]
    assert (message["category"], message["title"]) == ("claim-rejected", f"Claim {claim_id} was rejected")
    assert (await centre.items(other))["total"] == 0
    await centre.send_due_emails()
    [mail] = await eventually(lambda: centre.mails(maker), timeout=10)
    assert "Reason: Not commissioned" in body_of(mail)


async def test_returned_is_a_message_to_the_provider_and_closes_the_step(centre: Centre) -> None:
    tier_1 = await centre.user(("Local Approver Tier 1", centre.orgs["ICB"]))
    maker = await centre.user(("Local Approver (multi-level)", centre.orgs["P1"]))
    claim_id = str(uuid.uuid4())[:8]
    await centre.deliver(waiting(centre, claim_id, "Tier 1", "Local Approver Tier 1", 1))
    await centre.deliver(
        ClaimReturned(
            **common(centre, claim_id),
            reasons=["Attach the plans"],
            returned_by="t1",
            returned_at=NOW,
            step="Tier 1",
        )
    )
    assert (await centre.items(tier_1, kind="task", status="open"))["total"] == 0
    [message] = (await centre.items(maker, kind="message"))["items"]
    assert message["category"] == "claim-returned"
    await centre.send_due_emails()
    [mail] = await eventually(lambda: centre.mails(maker), timeout=10)
    assert "Attach the plans" in body_of(mail)


async def test_paid_is_a_message_to_the_provider(centre: Centre) -> None:
    maker = await centre.user(("Local User (multi-level)", centre.orgs["P1"]))
    claim_id = str(uuid.uuid4())[:8]
    await centre.deliver(
        ClaimPaid(
            **common(centre, claim_id),
            batch_id="B-1",
            total_pence=232104,
            payment_reference="PCSE-9",
            paid_at=NOW,
        )
    )
    [message] = (await centre.items(maker, kind="message"))["items"]
    assert (message["category"], message["title"]) == ("claim-paid", f"Claim {claim_id} was paid")
    await centre.send_due_emails()
    [mail] = await eventually(lambda: centre.mails(maker), timeout=10)
    assert "£2,321.04" in body_of(mail)
    assert "PCSE-9" in body_of(mail)


async def test_a_flagged_batch_is_a_task_for_the_commissioners_finance(centre: Centre) -> None:
    finance = await centre.user(("Local Finance", centre.orgs["ICB"]))
    tier_1 = await centre.user(("Local Approver Tier 1", centre.orgs["ICB"]))
    batch = f"{centre.orgs['ICB']}-{uuid.uuid4().hex[:6]}"
    await centre.deliver(
        PaymentBatchFlagged(
            batch_id=batch,
            commissioner_organisation_id=centre.orgs["ICB"],
            attempts=4,
            claim_ids=["1", "2"],
            flagged_at=NOW,
        )
    )
    [task] = (await centre.items(finance, kind="task", status="open"))["items"]
    assert task["category"] == "payment-batch-flagged"
    assert (await centre.items(tier_1))["total"] == 0
    await centre.send_due_emails()
    [mail] = await eventually(lambda: centre.mails(finance), timeout=10)
    assert "after 4 sends" in body_of(mail)
