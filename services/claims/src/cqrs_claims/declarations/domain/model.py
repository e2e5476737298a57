"""A declaration: one provider's calculated achievement for one Quality Service, on its way to payment."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class Status(StrEnum):
    """Declaration statuses, in the words users see."""

    AWAITING_PROVIDER = "Awaiting Service Provider Approval"
    AWAITING_COMMISSIONER = "Awaiting Commissioning Organisation Approval"
    AWAITING_FINANCE = "Awaiting Finance Approval"
    APPROVED = "Approved for Payment"


class Figures(BaseModel):
    """What a calculation gave: the practices added up, their latest extractions, points and pence."""

    achievement_date: dt.date
    practice_ods_codes: list[str] = Field(min_length=1)
    extraction_ids: list[str] = Field(min_length=1)
    points_hundredths: int = Field(ge=0)
    achievement_pence: int = Field(ge=0)


class Declaration(BaseModel):
    """The aggregate: its figures, status, and the service settings that decide automatic steps."""

    declaration_id: str
    version: int = 0
    quality_service_id: str
    financial_year: str
    payment_type: str
    provider_organisation_id: str
    provider_kind: Literal["practice", "pcn"]
    commissioner_organisation_id: str
    declaration_required: bool = True
    approval_required: bool = True
    status: Status = Status.AWAITING_PROVIDER
    figures: Figures
    declared_by: str | None = None
    approved_by: str | None = None
    finance_approved_by: str | None = None
    updated_at: dt.datetime | None = None


def declaration_id(quality_service_id: str, provider: str) -> str:
    """One declaration per provider and Quality Service (a service belongs to one financial year)."""
    return f"{quality_service_id}:{provider}"
