"""The claimable shape of a Quality Service as one provider sees it: components, prices, evidence,
questions, claim windows and claim mode, from a published service version and an approved offer."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Evidence(_Frozen):
    """A file the provider must attach when claiming 1 unit or more (none at 0 units)."""

    instructions: str
    accepted_file_types: list[str]


class Question(_Frozen):
    """A supplementary question on a component: a Yes/No toggle or free text, maybe required."""

    question_id: str
    text: str
    kind: Literal["yes_no", "text"]
    required: bool


class Component(_Frozen):
    """One claimable component: units × unit price, or a retainer's fixed amount with its note."""

    component_id: str
    component_name: str
    kind: Literal["unit_priced", "retainer"]
    unit_price_pence: int | None = None
    amount_pence: int | None = None
    information_note: str | None = None
    evidence: Evidence | None = None
    questions: list[Question] = Field(default_factory=list)


class Window(_Frozen):
    """A claim window, open from ``opens_on`` to ``closes_on`` inclusive (Europe/London dates)."""

    window_id: str
    window_name: str
    opens_on: dt.date
    closes_on: dt.date


class ServiceVersion(_Frozen):
    """One published version of a Quality Service, as claims needs it."""

    quality_service_id: str
    service_version: int
    service_name: str
    commissioner_organisation_id: str
    financial_year: str
    payment_type: str
    start_date: dt.date
    end_date: dt.date
    claim_mode: Literal["single", "multi"]
    paycode: str = ""  # CL2: what the payment system pays the service under (never changes)
    components: list[Component] = Field(default_factory=list)
    claim_windows: list[Window] = Field(default_factory=list)

    def component(self, component_id: str) -> Component | None:
        """The component with this id, if the service has it."""
        return next((c for c in self.components if c.component_id == component_id), None)

    @property
    def has_windows(self) -> bool:
        """Services without windows are claimed component by component (Add+)."""
        return bool(self.claim_windows)


class ClaimableService(_Frozen):
    """A service a provider may claim for: an Approved offer joined with the version it offered."""

    offer_id: str
    provider_organisation_id: str
    service: ServiceVersion

    @property
    def quality_service_id(self) -> str:
        """The service's id."""
        return self.service.quality_service_id
