"""The review flow: value bands at their bounds, the default flow and a custom one walked through,
the review table exhaustively, segregation of duties, return and resubmit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from cqrs_claims.claims.domain.claim import Claim, ClaimStatus, NotAllowedNow, fold
from cqrs_claims.review.domain import decisions
from cqrs_claims.review.domain.decisions import REVIEW_ALLOWED, ReviewAction, SegregationOfDuties
from cqrs_claims.review.domain.flow import FINANCE, TIER_1, TIER_2, ReviewFlow, Step, ValueBands, default_flow
from cqrs_contracts.events import (
    ClaimApproved,
    ClaimApprovedAtStep,
    ClaimAwaitingReview,
    ClaimLine,
    ClaimReadyForTier1Review,
    ClaimRejected,
    ClaimReturned,
    ClaimSubmitted,
    Event,
)

from .review_helpers import NOW, SUBMITTER, approve, in_review, ready_claim

WAITING = {
    ClaimStatus.PENDING_TIER_1_REVIEW,
    ClaimStatus.PENDING_TIER_2_REVIEW,
    ClaimStatus.PENDING_FINANCE_APPROVAL,
}


@pytest.mark.parametrize(
    ("pence", "band"),
    [
        (0, "Low"),
        (1_499_999, "Low"),
        (1_500_000, "Medium"),
        (4_999_999, "Medium"),
        (5_000_000, "High"),
        (10**9, "High"),
    ],
)
def test_value_bands_at_their_bounds(pence: int, band: str) -> None:
    assert ValueBands().band(pence) == band


@pytest.mark.parametrize(
    ("pence", "steps"),
    [
        (1_499_999, ["Tier 1", "Tier 2"]),
        (1_500_000, ["Tier 1", "Tier 2"]),
        (4_999_999, ["Tier 1", "Tier 2"]),
        (5_000_000, ["Tier 1", "Tier 2", "Finance"]),
    ],
)
def test_default_flow_needs_finance_for_the_high_band_only(pence: int, steps: list[str]) -> None:
    assert [s.name for s in default_flow().route(pence)] == steps
    assert [s.role for s in default_flow().route(5_000_000)] == [TIER_1, TIER_2, FINANCE]


def test_bands_are_configurable() -> None:
    flow = default_flow().model_copy(update={"bands": ValueBands(medium_from_pence=100, high_from_pence=200)})
    assert [s.name for s in flow.route(200)] == ["Tier 1", "Tier 2", "Finance"]
    assert [s.name for s in flow.route(199)] == ["Tier 1", "Tier 2"]
    with pytest.raises(ValueError, match="below"):
        ValueBands(medium_from_pence=200, high_from_pence=200)


def test_a_high_band_claim_walks_tier_1_tier_2_finance_to_approved() -> None:
    claim = in_review(5_000_000)
    assert (claim.status, claim.review and claim.review.value_band) == (
        ClaimStatus.PENDING_TIER_1_REVIEW,
        "High",
    )
    events = decisions.approve(claim, default_flow(), "t1", NOW)
    assert [type(e) for e in events] == [ClaimApprovedAtStep, ClaimAwaitingReview]
    claim = fold(claim, events)
    assert claim.status is ClaimStatus.PENDING_TIER_2_REVIEW
    claim = approve(claim, "t2")
    assert claim.status is ClaimStatus.PENDING_FINANCE_APPROVAL
    events = decisions.approve(claim, default_flow(), "fin", NOW)
    assert [type(e) for e in events] == [ClaimApprovedAtStep, ClaimApproved]
    assert events[-1].approved_by == ["t1", "t2", "fin"]  # type: ignore[attr-defined]
    assert fold(claim, events).status is ClaimStatus.APPROVED


def test_a_medium_band_claim_is_approved_after_tier_2() -> None:
    claim = approve(approve(in_review(4_999_999), "t1"), "t2")
    assert claim.status is ClaimStatus.APPROVED


def test_the_review_table_exhaustively() -> None:
    for status in ClaimStatus:
        expected = set(ReviewAction) if status in WAITING else set()
        assert set(REVIEW_ALLOWED[status]) == expected, status
        claim = in_review(100).model_copy(update={"status": status})
        deciders: dict[ReviewAction, Callable[[Claim], list[Event]]] = {
            ReviewAction.APPROVE: lambda c: decisions.approve(c, default_flow(), "u", NOW),
            ReviewAction.REJECT: lambda c: decisions.reject(c, "u", "no", NOW),
            ReviewAction.RETURN: lambda c: decisions.return_to_provider(c, default_flow(), "u", "fix", NOW),
        }
        for action, decide in deciders.items():
            if action in expected:
                continue
            with pytest.raises(NotAllowedNow, match=status.value):
                decide(claim)


def test_a_claim_never_in_review_cannot_be_decided() -> None:
    with pytest.raises(NotAllowedNow):
        decisions.approve(ready_claim(100), default_flow(), "u", NOW)


def test_custom_flow_two_sign_offs_and_a_value_threshold_adding_a_step() -> None:
    flow = ReviewFlow(
        steps=[
            Step(name="Vetting", role=TIER_1, status=ClaimStatus.PENDING_TIER_1_REVIEW, sign_offs=2),
            Step(name="Budget", role=TIER_2, status=ClaimStatus.PENDING_TIER_2_REVIEW, from_pence=1_000_000),
            Step(
                name="Finance",
                role=FINANCE,
                status=ClaimStatus.PENDING_FINANCE_APPROVAL,
                bands=["Medium", "High"],
            ),
        ]
    )
    assert [s.name for s in flow.route(999_999)] == ["Vetting"]
    assert [s.name for s in flow.route(1_000_000)] == ["Vetting", "Budget"]
    assert [s.name for s in flow.route(1_500_000)] == ["Vetting", "Budget", "Finance"]
    small = in_review(999_999, flow)
    small = approve(small, "a", flow)
    assert small.status is ClaimStatus.PENDING_TIER_1_REVIEW  # one of two sign-offs
    with pytest.raises(SegregationOfDuties, match="already signed off"):
        decisions.approve(small, flow, "a", NOW)
    assert approve(small, "b", flow).status is ClaimStatus.APPROVED
    big = approve(approve(in_review(1_500_000, flow), "a", flow), "b", flow)
    assert (big.status, big.review and big.review.step) == (ClaimStatus.PENDING_TIER_2_REVIEW, "Budget")
    big = approve(big, "c", flow)
    assert big.status is ClaimStatus.PENDING_FINANCE_APPROVAL
    with pytest.raises(NotAllowedNow, match="cannot return"):
        decisions.return_to_provider(big, flow, "d", "why", NOW)
    assert approve(big, "d", flow).status is ClaimStatus.APPROVED


def test_a_flow_whose_first_step_skips_claims_is_refused() -> None:
    with pytest.raises(ValueError, match="first step"):
        ReviewFlow(
            steps=[Step(name="F", role=FINANCE, status=ClaimStatus.PENDING_FINANCE_APPROVAL, bands=["High"])]
        )
    with pytest.raises(ValueError, match="status"):
        Step(name="X", role=TIER_1, status=ClaimStatus.PAID)


def test_the_same_person_may_not_approve_two_steps() -> None:
    claim = approve(in_review(5_000_000), "alex")
    with pytest.raises(SegregationOfDuties, match="another step"):
        decisions.approve(claim, default_flow(), "alex", NOW)
    with pytest.raises(SegregationOfDuties):
        decisions.reject(claim, "alex", "no", NOW)
    claim = approve(claim, "bea")
    with pytest.raises(SegregationOfDuties):
        decisions.approve(claim, default_flow(), "bea", NOW)
    assert approve(claim, "cai").status is ClaimStatus.APPROVED


def test_who_submitted_a_claim_may_not_review_it() -> None:
    claim = in_review(100, submitted_by="commissioner-1")  # a bulk claim entered by a commissioner
    with pytest.raises(SegregationOfDuties, match="submitted"):
        decisions.approve(claim, default_flow(), "commissioner-1", NOW)
    assert approve(claim, "commissioner-2").status is ClaimStatus.PENDING_TIER_2_REVIEW


def test_reject_is_final_with_its_reason() -> None:
    claim = approve(in_review(100), "t1")
    events = decisions.reject(claim, "t2", "Not commissioned for this patient group", NOW)
    assert isinstance(events[0], ClaimRejected)
    assert events[0].step == "Tier 2"
    claim = fold(claim, events)
    assert claim.status is ClaimStatus.REJECTED
    assert claim.review is not None
    assert claim.review.decision_reason == "Not commissioned for this patient group"


def test_return_and_resubmit_starts_the_flow_again() -> None:
    claim = in_review(5_000_000)
    events = decisions.return_to_provider(claim, default_flow(), "t1", "Attach the plans", NOW)
    assert isinstance(events[0], ClaimReturned)
    claim = fold(claim, events)
    assert (claim.status, claim.returned_reasons) == (ClaimStatus.RETURNED, ["Attach the plans"])
    later = NOW + dt.timedelta(days=1)
    common: dict[str, Any] = {"provider_organisation_id": "A81001", "commissioner_organisation_id": "QWE"}
    claim = fold(
        claim,
        [
            ClaimSubmitted(
                claim_id="35929",
                quality_service_ids=["qs-0"],
                lines=[
                    ClaimLine(
                        component_id="c-0",
                        units=0,
                        unit_price_pence=0,
                        value_pence=5_000_000,
                        kind="retainer",
                    )
                ],
                total_pence=5_000_000,
                submitted_by=SUBMITTER,
                submitted_at=later,
                **common,
            ),
            ClaimReadyForTier1Review(
                claim_id="35929", total_pence=claim.total_pence, ready_at=later, **common
            ),
        ],
    )
    claim = fold(claim, decisions.start(claim, default_flow(), later))
    assert claim.status is ClaimStatus.PENDING_TIER_1_REVIEW
    assert claim.review is not None
    assert claim.review.sign_offs == []
    claim = approve(claim, "t1")  # the same reviewer may review the new round's Tier 1
    assert claim.status is ClaimStatus.PENDING_TIER_2_REVIEW
