"""Payment rules as data: what each indicator pays and how figures are rounded.

A Quality Service's indicators (thresholds, maximum points, whether prevalence-adjusted) come from
Participation Management; the money (price per point, national averages) and rounding settings
come with the service's payment settings. Defaults, and why:

* achievement % is **not rounded** (``achievement_places=None``): the payable figure follows the
  exact counts; displays round it.
* points are rounded to **2 decimal places**, half up, per indicator (as published QOF examples
  show points), before pounds are worked out.
* pounds are rounded to the **penny**, half up, per indicator; a practice's and a PCN's payment is
  the sum of its indicators' pence, so every total equals the sum of its lines.
* CPI and APDF are exact ratios, never rounded.

The legal source is the Statement of Financial Entitlements; where it or the guidance leaves a
choice open, it is a setting here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cqrs_contracts.events import QualityServicePublished

Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]
"""A threshold in per cent with at most two decimal places (e.g. 40, 77.5)."""

Places = Annotated[int, Field(ge=0, le=6)]
"""How many decimal places a figure is rounded to."""

RoundingMode = Literal["half_up", "down"]
"""``half_up``: 0.5 goes up; ``down``: cut off (never pays more than earned)."""


class Rounding(BaseModel):
    """Where and how figures are rounded; see the module text for the defaults' reasons."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    achievement_places: Places | None = None
    points_places: Places | None = 2
    mode: RoundingMode = "half_up"


class IndicatorRule(BaseModel):
    """One indicator's payment rule: points rise linearly from the lower to the upper threshold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    indicator_id: str = Field(min_length=1, max_length=50)
    domain: str = Field(default="Clinical", min_length=1, max_length=100)
    lower_threshold: Percent
    upper_threshold: Percent
    maximum_points: Annotated[Decimal, Field(gt=0, le=1000, decimal_places=2)]
    prevalence_adjusted: bool = False
    national_prevalence: Annotated[Decimal, Field(gt=0, le=1, decimal_places=6)] | None = None

    @model_validator(mode="after")
    def _usable(self) -> Self:
        """Refuse thresholds out of order, and an APDF without the national prevalence it divides by."""
        if self.lower_threshold > self.upper_threshold:
            msg = f"{self.indicator_id}: lower_threshold must not be above upper_threshold"
            raise ValueError(msg)
        if self.prevalence_adjusted and self.national_prevalence is None:
            msg = f"{self.indicator_id}: a prevalence-adjusted indicator needs national_prevalence"
            raise ValueError(msg)
        return self


class PaymentRules(BaseModel):
    """Everything needed to turn one Quality Service's extracted counts into points and pence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    quality_service_id: str = Field(min_length=1, max_length=200)
    financial_year: str = Field(pattern=r"^\d{4}/\d{2}$")
    payment_type: str = Field(default="QOF", min_length=1, max_length=100)
    commissioner_organisation_id: str = Field(pattern=r"^[A-Z0-9]{3,12}$")
    price_per_point_pence: Annotated[int, Field(gt=0, le=10_000_000, strict=True)]
    national_average_list_size: Annotated[int, Field(gt=0, le=1_000_000, strict=True)]
    rounding: Rounding = Rounding()
    declaration_level: Literal["practice", "pcn"] = "practice"
    declaration_required: bool = True
    approval_required: bool = True
    indicators: list[IndicatorRule] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_rule_per_indicator(self) -> Self:
        """Refuse two rules for one indicator: which one would pay?"""
        ids = [rule.indicator_id for rule in self.indicators]
        if len(ids) != len(set(ids)):
            msg = "each indicator may have only one rule"
            raise ValueError(msg)
        return self

    def rule(self, indicator_id: str) -> IndicatorRule | None:
        """The rule of one indicator, or None when the service does not pay for it."""
        return next((r for r in self.indicators if r.indicator_id == indicator_id), None)


class PaymentSettings(BaseModel):
    """The money and rounding of a Quality Service: what its published indicators do not say."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    price_per_point_pence: Annotated[int, Field(gt=0, le=10_000_000, strict=True)]
    national_average_list_size: Annotated[int, Field(gt=0, le=1_000_000, strict=True)]
    national_prevalence: dict[
        Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f.$/]+$")],
        Annotated[Decimal, Field(gt=0, le=1, decimal_places=6)],
    ] = Field(default_factory=dict, max_length=500)
    rounding: Rounding = Rounding()
    declaration_level: Literal["practice", "pcn"] = "practice"


class MissingPrevalence(ValueError):
    """A prevalence-adjusted indicator has no national prevalence in the payment settings."""


def build_rules(service: QualityServicePublished, settings: PaymentSettings) -> PaymentRules:
    """A service's payment rules: its published indicators with its payment settings."""
    indicators = []
    for domain in service.domains:
        for published in domain.indicators:
            national = settings.national_prevalence.get(published.indicator_id)
            if published.prevalence_adjusted and national is None:
                msg = f"national_prevalence of {published.indicator_id} is needed: it is prevalence-adjusted"
                raise MissingPrevalence(msg)
            indicators.append(
                IndicatorRule(
                    indicator_id=published.indicator_id,
                    domain=domain.domain,
                    lower_threshold=Decimal(published.lower_threshold_percent),
                    upper_threshold=Decimal(published.upper_threshold_percent),
                    maximum_points=Decimal(published.maximum_points),
                    prevalence_adjusted=published.prevalence_adjusted,
                    national_prevalence=national if published.prevalence_adjusted else None,
                )
            )
    return PaymentRules(
        quality_service_id=service.quality_service_id,
        financial_year=service.financial_year,
        payment_type=service.payment_type,
        commissioner_organisation_id=service.commissioner_organisation_id,
        price_per_point_pence=settings.price_per_point_pence,
        national_average_list_size=settings.national_average_list_size,
        rounding=settings.rounding,
        declaration_level=settings.declaration_level,
        declaration_required=service.declaration_required,
        approval_required=service.approval_required,
        indicators=indicators,
    )
