"""A commissioner's review flow as data: its steps, the role each needs, which claims a step applies
to (value bands, a value threshold), how many sign-offs it takes; and the value bands.

The default reproduces the live service: Tier 1 (evidence and vetting; may return the claim) ->
Tier 2 (financial approval) -> Finance for High band claims only.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cqrs_claims.claims.domain.claim import ClaimStatus

Band = Literal["Low", "Medium", "High"]
BANDS: tuple[Band, ...] = ("Low", "Medium", "High")

TIER_1 = "Local Approver Tier 1"
TIER_2 = "Local Approver Tier 2"
FINANCE = "Local Finance"

#: The statuses a claim may show while it waits at a step.
STEP_STATUSES = frozenset(
    {
        ClaimStatus.PENDING_TIER_1_REVIEW,
        ClaimStatus.PENDING_TIER_2_REVIEW,
        ClaimStatus.PENDING_FINANCE_APPROVAL,
    }
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ValueBands(_Frozen):
    """Per practice per claim: Low below ``medium_from_pence``, High from ``high_from_pence``."""

    medium_from_pence: int = Field(default=1_500_000, ge=1)
    high_from_pence: int = Field(default=5_000_000, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        """Medium must start below High."""
        if self.medium_from_pence >= self.high_from_pence:
            msg = "medium_from_pence must be below high_from_pence"
            raise ValueError(msg)
        return self

    def band(self, total_pence: int) -> Band:
        """The band a claim's value falls in."""
        if total_pence >= self.high_from_pence:
            return "High"
        if total_pence >= self.medium_from_pence:
            return "Medium"
        return "Low"


class Step(_Frozen):
    """One step of review: who signs off, how many of them, and which claims pass through it."""

    name: str = Field(min_length=1, max_length=60)
    role: str = Field(min_length=1, max_length=100)
    status: ClaimStatus
    sign_offs: int = Field(default=1, ge=1, le=5)
    may_return: bool = False
    bands: list[Band] = Field(default_factory=lambda: list(BANDS), min_length=1)
    from_pence: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _status_is_a_waiting_one(self) -> Self:
        """A step shows one of the Pending statuses users know."""
        if self.status not in STEP_STATUSES:
            msg = f"a step's status must be one of {sorted(s.value for s in STEP_STATUSES)}"
            raise ValueError(msg)
        return self

    def applies(self, total_pence: int, band: Band) -> bool:
        """Whether a claim of this value passes through this step."""
        return band in self.bands and total_pence >= self.from_pence


class ReviewFlow(_Frozen):
    """A commissioner's review flow: steps in order, and the value bands."""

    steps: list[Step] = Field(min_length=1, max_length=10)
    bands: ValueBands = Field(default_factory=ValueBands)

    @model_validator(mode="after")
    def _usable(self) -> Self:
        """Step names are unique, and every claim passes through the first step."""
        names = [s.name for s in self.steps]
        if len(set(names)) != len(names):
            msg = "step names must be unique"
            raise ValueError(msg)
        first = self.steps[0]
        if set(first.bands) != set(BANDS) or first.from_pence:
            msg = "the first step must apply to every claim"
            raise ValueError(msg)
        return self

    def route(self, total_pence: int) -> list[Step]:
        """The steps a claim of this value goes through, in order."""
        band = self.bands.band(total_pence)
        return [s for s in self.steps if s.applies(total_pence, band)]

    def step(self, name: str) -> Step | None:
        """A step by name."""
        return next((s for s in self.steps if s.name == name), None)


def default_flow() -> ReviewFlow:
    """Tier 1 -> Tier 2 -> Finance (High band only), one sign-off each; Tier 1 may return claims."""
    return ReviewFlow(
        steps=[
            Step(name="Tier 1", role=TIER_1, status=ClaimStatus.PENDING_TIER_1_REVIEW, may_return=True),
            Step(name="Tier 2", role=TIER_2, status=ClaimStatus.PENDING_TIER_2_REVIEW),
            Step(name="Finance", role=FINANCE, status=ClaimStatus.PENDING_FINANCE_APPROVAL, bands=["High"]),
        ]
    )
