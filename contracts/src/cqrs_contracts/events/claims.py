"""Events published by the claims service: CQRS Local claims, their evidence, and declarations."""

from typing import Annotated, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from cqrs_contracts import topics
from cqrs_contracts.events.base import Event
from cqrs_contracts.values import Count, FinancialYear, Id, OdsCode, Pence, Text, UtcDatetime

FileType = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+$")]
"""A file extension without its dot, lower case: ``pdf``, ``docx``."""


class ClaimLine(BaseModel):
    """One component claimed: units × unit price, or a retainer's fixed value with no units.

    A retainer line has ``units`` 0, ``unit_price_pence`` 0 and its amount as ``value_pence``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    component_id: Id
    units: Count
    unit_price_pence: Pence
    value_pence: Pence
    kind: Literal["unit_priced", "retainer"] = "unit_priced"
    quality_service_id: Id | None = None


class ClaimSubmitted(Event):
    """A provider submitted a claim to its commissioner for review and payment."""

    service: ClassVar[str] = "claims"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.CLAIMS_CLAIM

    claim_id: Id
    provider_organisation_id: OdsCode
    commissioner_organisation_id: OdsCode
    quality_service_ids: list[Id] = Field(min_length=1)
    lines: list[ClaimLine] = Field(min_length=1)
    total_pence: Pence
    attachment_ids: list[Id] = Field(default_factory=list)
    submitted_by: Id
    submitted_at: UtcDatetime

    def aggregate_id(self) -> str:
        """Key by claim, so one claim's history stays in order."""
        return self.claim_id

    @model_validator(mode="after")
    def _total_is_sum_of_lines(self) -> Self:
        """Refuse a claim whose total disagrees with its lines: payment follows the total."""
        lines_total = sum(line.value_pence for line in self.lines)
        if self.total_pence != lines_total:
            msg = f"total_pence {self.total_pence} is not the sum of line values {lines_total}"
            raise ValueError(msg)
        return self


class AttachmentUploaded(Event):
    """A provider added an evidence file to a claim; it is stored but not yet scanned."""

    service: ClassVar[str] = "claims"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.CLAIMS_ATTACHMENT

    attachment_id: Id
    claim_id: Id
    provider_organisation_id: OdsCode
    bucket: Text
    object_key: Text
    file_name: Text
    media_type: Text
    size_bytes: Count
    accepted_file_types: list[FileType]
    uploaded_at: UtcDatetime
    component_id: Id | None = None

    def aggregate_id(self) -> str:
        """Key by attachment, so its upload and scan results stay in order."""
        return self.attachment_id


class DeclarationApproved(Event):
    """One approval step of a provider's declared achievement was done: commissioner or finance.

    ``points_hundredths`` is the achievement in hundredths of a point (12.34 points → 1234), so
    points travel as an exact integer, never a float; ``achievement_pence`` is the payment.
    """

    service: ClassVar[str] = "claims"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.CLAIMS_DECLARATION

    declaration_id: Id
    quality_service_id: Id
    provider_organisation_id: OdsCode
    commissioner_organisation_id: OdsCode
    financial_year: FinancialYear
    points_hundredths: Count
    achievement_pence: Pence
    approved_by: Id
    approved_at: UtcDatetime
    step: Literal["commissioner", "finance"]

    def aggregate_id(self) -> str:
        """Key by declaration, so the commissioner step is read before the finance step."""
        return self.declaration_id
