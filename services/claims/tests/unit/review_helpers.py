"""A claim waiting for review, of any value, for the review and payment domain tests."""

from __future__ import annotations

import datetime as dt

from cqrs_claims.claims.domain.claim import Claim, ClaimStatus, Line, fold
from cqrs_claims.review.domain import decisions
from cqrs_claims.review.domain.flow import ReviewFlow, default_flow

NOW = dt.datetime(2025, 7, 10, 9, 0, tzinfo=dt.UTC)
SUBMITTER = "provider-user"


def ready_claim(total_pence: int, *, submitted_by: str = SUBMITTER, services: int = 1) -> Claim:
    """A claim Pending Tier 1 Review worth ``total_pence`` (spread over ``services`` services)."""
    share, rest = divmod(total_pence, services)
    lines = [
        Line(
            quality_service_id=f"qs-{n}",
            service_version=1,
            component_id=f"c-{n}",
            kind="retainer",
            amount_pence=share + (rest if n == 0 else 0),
        )
        for n in range(services)
    ]
    return Claim(
        claim_id="35929",
        status=ClaimStatus.PENDING_TIER_1_REVIEW,
        provider_organisation_id="A81001",
        commissioner_organisation_id="QWE",
        financial_year="2025/26",
        claim_mode="multi",
        lines=lines,
        drafted_by=SUBMITTER,
        drafted_at=NOW,
        submitted_by=submitted_by,
        submitted_at=NOW,
    )


def in_review(total_pence: int, flow: ReviewFlow | None = None, **kwargs: object) -> Claim:
    """The claim after it entered the flow (the first step)."""
    claim = ready_claim(total_pence, **kwargs)  # type: ignore[arg-type]
    return fold(claim, decisions.start(claim, flow or default_flow(), NOW))


def approve(claim: Claim, user: str, flow: ReviewFlow | None = None) -> Claim:
    """One sign-off, folded."""
    return fold(claim, decisions.approve(claim, flow or default_flow(), user, NOW))
