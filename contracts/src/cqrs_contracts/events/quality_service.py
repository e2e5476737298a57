"""The parts of a published Quality Service that other services build on (claims, achievement).

A Quality Service is what a commissioner (or NHS England, for national services) offers to
providers: its components (each unit-priced or a retainer), the evidence and supplementary
answers a claim needs, the claim windows in which claims may be made, and, for national services
(QOF, Network Contract DES), the indicators in each domain with their thresholds and points.
"""

from datetime import date
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from cqrs_contracts.values import Count, Id, Pence, Text

FileType = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+$")]
"""A file extension without its dot, lower case: ``pdf``, ``docx``."""

Percent = Annotated[int, Field(ge=0, le=100, strict=True)]
"""A whole percentage, 0 to 100."""

ClaimMode = Literal["single", "multi"]
"""Whether a claim holds this service alone (``single``) or may hold it beside others (``multi``)."""

ComponentKind = Literal["unit_priced", "retainer"]
"""A component paid per unit claimed, or a fixed retainer the provider only has to read about."""

QuestionKind = Literal["yes_no", "text"]
"""A supplementary question answered with a Yes/No toggle or with free text."""

DomainName = Literal["Clinical", "Organisational", "Patient Experience", "Additional Services"]
"""The top-level QOF domains indicators are grouped into."""


class _Part(BaseModel):
    """Immutable, closed shape shared by every part of a Quality Service."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class EvidenceRequirement(_Part):
    """A file the provider must upload with a claim of this component when units are 1 or more.

    With 0 units nothing has to be uploaded.
    """

    instructions: Text
    accepted_file_types: list[FileType] = Field(min_length=1)


class SupplementaryQuestion(_Part):
    """A question the provider answers when claiming a component (e.g. "given by qualified staff?").

    A required ``yes_no`` question must be answered Yes before the claim can be submitted.
    """

    question_id: Id
    text: Text
    kind: QuestionKind
    required: bool


class ServiceComponent(_Part):
    """One thing a provider can claim for: units × ``unit_price_pence``, or a retainer's amount.

    A retainer has no units; the provider must read its ``information_note``.
    """

    component_id: Id
    component_name: Text
    kind: ComponentKind
    unit_price_pence: Pence | None = None
    amount_pence: Pence | None = None
    information_note: Text | None = None
    evidence: EvidenceRequirement | None = None
    questions: list[SupplementaryQuestion] = Field(default_factory=list)

    @model_validator(mode="after")
    def _priced_by_its_kind(self) -> Self:
        """A unit-priced component has a unit price only; a retainer an amount and a note."""
        if self.kind == "unit_priced":
            if self.unit_price_pence is None or self.amount_pence is not None:
                msg = "a unit_priced component has unit_price_pence and no amount_pence"
                raise ValueError(msg)
        elif self.amount_pence is None or self.unit_price_pence is not None or not self.information_note:
            msg = "a retainer component has amount_pence, information_note and no unit_price_pence"
            raise ValueError(msg)
        return self


class ClaimWindow(_Part):
    """A period in which claims may be submitted, from ``opens_on`` to ``closes_on`` inclusive."""

    window_id: Id
    window_name: Text
    opens_on: date
    closes_on: date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        """Refuse a window that closes before it opens."""
        if self.closes_on < self.opens_on:
            msg = "closes_on must be on or after opens_on"
            raise ValueError(msg)
        return self


class Indicator(_Part):
    """A national indicator: achievement between the thresholds earns up to ``maximum_points``.

    ``lower_threshold_percent`` earns nothing below it; at ``upper_threshold_percent`` and above
    the maximum is earned. ``prevalence_adjusted`` says points are scaled by list prevalence.
    """

    indicator_id: Id
    description: Text
    lower_threshold_percent: Percent
    upper_threshold_percent: Percent
    maximum_points: Count
    prevalence_adjusted: bool

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> Self:
        """Refuse thresholds whose lower bound is above the upper one."""
        if self.lower_threshold_percent > self.upper_threshold_percent:
            msg = "lower_threshold_percent must not exceed upper_threshold_percent"
            raise ValueError(msg)
        return self


class IndicatorDomain(_Part):
    """One domain of a national service and its indicators."""

    domain: DomainName
    indicators: list[Indicator] = Field(min_length=1)
