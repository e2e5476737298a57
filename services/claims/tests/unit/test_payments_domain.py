"""Payment batches: the 15:00 Europe/London batch, its content, re-sends at 18 h (at most 3), then
the flag; the payment system's answers, duplicated and out of order."""

from __future__ import annotations

import datetime as dt

import pytest

from cqrs_claims.claims.domain.claim import Claim, ClaimStatus, fold
from cqrs_claims.payments import domain as payments
from cqrs_claims.payments.domain import PaymentBatch, PaymentSchedule
from cqrs_claims.review.domain.flow import default_flow
from cqrs_contracts.events import (
    ClaimAwaitingReview,
    ClaimPaid,
    ClaimPaymentFailed,
    PaymentBatchFlagged,
    PaymentBatchSent,
    PaymentConfirmed,
    PaymentFailed,
)

from .review_helpers import NOW, approve, in_review

BATCH = "QWE-20250710"
PAID_AT = NOW + dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("instant", "due"),
    [
        (dt.datetime(2025, 7, 10, 13, 59, 59, tzinfo=dt.UTC), None),  # 14:59:59 BST
        (dt.datetime(2025, 7, 10, 14, 0, tzinfo=dt.UTC), dt.date(2025, 7, 10)),  # 15:00 BST
        (dt.datetime(2025, 1, 10, 14, 59, tzinfo=dt.UTC), None),  # 14:59 GMT
        (dt.datetime(2025, 1, 10, 15, 0, tzinfo=dt.UTC), dt.date(2025, 1, 10)),  # 15:00 GMT
        (dt.datetime(2025, 1, 10, 23, 30, tzinfo=dt.UTC), dt.date(2025, 1, 10)),
    ],
)
def test_the_batch_is_due_from_15_00_europe_london(instant: dt.datetime, due: dt.date | None) -> None:
    assert PaymentSchedule().due_day(instant) == due


def test_the_batch_time_is_configurable() -> None:
    assert PaymentSchedule(batch_time=dt.time(9, 30)).due_day(dt.datetime(2025, 7, 10, 8, 30, tzinfo=dt.UTC))


def approved_claim(total: int = 5_000_000, services: int = 1) -> Claim:
    claim = approve(approve(approve(in_review(total, services=services), "t1"), "t2"), "fin")
    assert claim.status is ClaimStatus.APPROVED
    return claim


def test_items_carry_provider_paycode_and_pence_per_service() -> None:
    claim = approved_claim(5_000_001, services=2)
    items = payments.items_of(claim, {"qs-0": "LCL-A", "qs-1": "LCL-B"})
    assert [(i.paycode, i.amount_pence, i.provider_organisation_id) for i in items] == [
        ("LCL-A", 2_500_001, "A81001"),
        ("LCL-B", 2_500_000, "A81001"),
    ]
    assert sum(i.amount_pence for i in items) == claim.total_pence


def sent_batch(claim: Claim) -> PaymentBatch:
    batch = PaymentBatch(
        batch_id=BATCH,
        commissioner_organisation_id="QWE",
        day=NOW.date(),
        items=payments.items_of(claim, {"qs-0": "LCL-A"}),
    )
    [event] = payments.send(batch, NOW)
    assert isinstance(event, PaymentBatchSent)
    assert event.attempt == 1
    return payments.apply_batch(batch, event)


def test_resent_every_18_hours_at_most_3_times_then_flagged() -> None:
    batch = sent_batch(approved_claim())
    schedule = PaymentSchedule()
    at = NOW
    for attempt in (2, 3, 4):
        assert payments.follow_up(batch, schedule, at + dt.timedelta(hours=17, minutes=59)) == []
        at += dt.timedelta(hours=18)
        [resent] = payments.follow_up(batch, schedule, at)
        assert isinstance(resent, PaymentBatchSent)
        assert resent.attempt == attempt
        batch = payments.apply_batch(batch, resent)
    at += dt.timedelta(hours=18)
    [flag] = payments.follow_up(batch, schedule, at)
    assert isinstance(flag, PaymentBatchFlagged)
    assert (flag.attempts, flag.claim_ids) == (4, ["35929"])
    batch = payments.apply_batch(batch, flag)
    assert batch.status == "Flagged"
    assert payments.follow_up(batch, schedule, at + dt.timedelta(days=9)) == []


def test_an_answered_batch_is_not_resent() -> None:
    batch = sent_batch(approved_claim())
    answered = payments.answered(batch, "35929")
    assert answered is not None
    assert answered.status == "Answered"
    assert payments.answered(answered, "35929") is None  # a repeat
    assert payments.answered(batch, "other") is None
    assert payments.follow_up(answered, PaymentSchedule(), NOW + dt.timedelta(days=2)) == []


def sent_claim() -> Claim:
    claim = approved_claim()
    return fold(claim, payments.send_for_payment(claim, BATCH, NOW))


def confirmation(batch: str = BATCH) -> PaymentConfirmed:
    return PaymentConfirmed(
        batch_id=batch, claim_id="35929", amount_pence=5_000_000, payment_reference="PCSE-1", paid_at=PAID_AT
    )


def failure(batch: str = BATCH) -> PaymentFailed:
    return PaymentFailed(batch_id=batch, claim_id="35929", reason="Bank details not held", failed_at=PAID_AT)


def test_send_for_payment_only_from_approved() -> None:
    claim = sent_claim()
    assert claim.status is ClaimStatus.SENT_FOR_PAYMENT
    assert claim.payment.batch_id == BATCH
    assert payments.send_for_payment(claim, "another", NOW) == []


def test_confirmed_marks_paid_and_a_duplicate_changes_nothing() -> None:
    claim = sent_claim()
    events = payments.confirmed(claim, confirmation())
    assert [type(e) for e in events] == [ClaimPaid]
    claim = fold(claim, events)
    assert (claim.status, claim.payment.payment_reference) == (ClaimStatus.PAID, "PCSE-1")
    assert payments.confirmed(claim, confirmation()) == []
    assert payments.failed(claim, failure(), default_flow()) == []  # a failure after Paid is ignored


def test_an_answer_about_another_batch_is_ignored() -> None:
    claim = sent_claim()
    assert payments.confirmed(claim, confirmation("QWE-20250709")) == []
    assert payments.failed(claim, failure("QWE-20250709"), default_flow()) == []


def test_failed_goes_back_to_the_commissioners_last_step_with_the_reason() -> None:
    claim = sent_claim()
    events = payments.failed(claim, failure(), default_flow())
    assert [type(e) for e in events] == [ClaimPaymentFailed, ClaimAwaitingReview]
    claim = fold(claim, events)
    assert claim.status is ClaimStatus.PENDING_FINANCE_APPROVAL
    assert claim.review is not None
    assert claim.review.reason == "Payment failed: Bank details not held"
    assert [s.step for s in claim.review.sign_offs] == ["Tier 1", "Tier 2"]
    assert payments.failed(claim, failure(), default_flow()) == []  # a duplicate
    again = approve(claim, "fin")  # Finance approves again: it goes to the next batch
    assert again.status is ClaimStatus.APPROVED


def test_a_confirmation_after_a_failure_of_the_same_batch_still_pays() -> None:
    claim = fold(sent_claim(), payments.failed(sent_claim(), failure(), default_flow()))
    events = payments.confirmed(claim, confirmation())
    assert [type(e) for e in events] == [ClaimPaid]
    assert fold(claim, events).status is ClaimStatus.PAID
