"""Events published by the claims service: CQRS Local claims, their evidence, and declarations."""

import datetime as dt
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
    bulk_upload_id: Id | None = None
    """The commissioner's bulk upload that submitted it on the provider's behalf (CL2); ``None``
    when the provider submitted it. ``submitted_by`` is then the commissioner's user."""

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


DeclarationStatus = Literal[
    "Awaiting Service Provider Approval",
    "Awaiting Commissioning Organisation Approval",
    "Awaiting Finance Approval",
    "Approved for Payment",
]
"""A declaration's status, in the words users see."""

RecalculationReason = Literal["achievement", "pcn_membership", "payment_rules"]
"""Why figures changed: new achievement data, a practice joining or leaving the PCN, new rules."""


class _DeclarationEvent(Event):
    """What every declaration event says: whose declaration, for what, and its figures now."""

    service: ClassVar[str] = "claims"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.CLAIMS_DECLARATION

    declaration_id: Id
    quality_service_id: Id
    provider_organisation_id: OdsCode
    commissioner_organisation_id: OdsCode
    financial_year: FinancialYear
    achievement_date: dt.date
    points_hundredths: Count
    achievement_pence: Pence
    status: DeclarationStatus

    def aggregate_id(self) -> str:
        """Key by declaration, so one declaration's steps are read in order."""
        return self.declaration_id


class DeclarationOpened(_DeclarationEvent):
    """A provisional payment was calculated and a declaration opened for the provider to declare.

    ``practice_ods_codes`` lists the practices whose achievement the figures add up: the practice
    itself, or the practices that belonged to the PCN on the achievement date.
    """

    practice_ods_codes: list[OdsCode] = Field(min_length=1)
    opened_at: UtcDatetime


class DeclarationRecalculated(_DeclarationEvent):
    """New figures replaced an open declaration's figures; it is back with the provider to declare."""

    practice_ods_codes: list[OdsCode] = Field(min_length=1)
    reason: RecalculationReason
    previous_status: DeclarationStatus
    recalculated_at: UtcDatetime


class DeclarationDeclared(_DeclarationEvent):
    """The provider declared its achievement; it now awaits the commissioning organisation.

    ``automatic`` is true when the service needs no declaration and CQRS declared it itself.
    ``approval_required`` is false when the service is set to "No Approval Required": CQRS gives
    the commissioning organisation's approval itself in the next event, so nobody is asked for it.
    """

    declared_by: Id
    declared_at: UtcDatetime
    automatic: bool = False
    approval_required: bool = True


class DeclarationApproved(Event):
    """One approval step of a provider's declared achievement was done: commissioner or finance.

    ``points_hundredths`` is the achievement in hundredths of a point (12.34 points → 1234), so
    points travel as an exact integer, never a float; ``achievement_pence`` is the payment.
    A payment system pays on the ``finance`` step (then ``status`` is "Approved for Payment");
    the ``commissioner`` step tells that the declaration now awaits finance approval.
    ``automatic`` is true when the service needs no commissioner approval and CQRS gave it.
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
    achievement_date: dt.date | None = None
    payment_type: Text | None = None
    status: DeclarationStatus | None = None
    automatic: bool = False

    def aggregate_id(self) -> str:
        """Key by declaration, so the commissioner step is read before the finance step."""
        return self.declaration_id
