"""Events published by Participation Management: the Quality Service catalogue and offers.

``QualityServicePublished`` (topic ``cqrs.participation.service``, keyed by service) carries a
whole published version of a service, so claims can build claimable services from it alone.
Offer events (topic ``cqrs.participation.offer``, keyed by offer) carry ids, never copies of the
service: a reader joins on ``quality_service_id`` and ``quality_service_version``.

Offer statuses: Offered -> Approved (accepted) or Rejected; Offered -> Cancelled (withdrawn);
Approved or Rejected -> Cancelled (cancelled); Rejected or Cancelled -> Offered (reissued).
"""

import datetime as dt
from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from cqrs_contracts import topics
from cqrs_contracts.events.base import Event
from cqrs_contracts.events.quality_service import (
    ClaimMode,
    ClaimWindow,
    IndicatorDomain,
    ServiceComponent,
)
from cqrs_contracts.values import FinancialYear, Id, OdsCode, Text, UtcDatetime


class QualityServicePublished(Event):
    """A version of a Quality Service was published; it never changes (a change is a new version).

    ``claim_windows`` empty means no schedule: the provider adds components individually.
    ``domains`` is empty for local services and lists indicators for national ones.
    ``paycode`` is the same in every version of a service.
    """

    service: ClassVar[str] = "participation"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.PARTICIPATION_SERVICE

    quality_service_id: Id
    service_version: int = Field(ge=1, strict=True)
    commissioner_organisation_id: OdsCode
    national: bool = False
    financial_year: FinancialYear
    payment_type: Text
    service_name: Text
    description: str = Field(default="", max_length=4000)
    start_date: dt.date
    end_date: dt.date
    paycode: Text
    claim_mode: ClaimMode
    declaration_required: bool
    approval_required: bool
    components: list[ServiceComponent] = Field(default_factory=list)
    claim_windows: list[ClaimWindow] = Field(default_factory=list)
    domains: list[IndicatorDomain] = Field(default_factory=list)
    published_by: Id
    published_at: UtcDatetime

    def aggregate_id(self) -> str:
        """Key by service, so its versions are read in order."""
        return self.quality_service_id

    @model_validator(mode="after")
    def _period_is_ordered(self) -> Self:
        """Refuse a service that ends before it starts."""
        if self.start_date > self.end_date:
            msg = "start_date must be on or before end_date"
            raise ValueError(msg)
        return self


class _OfferEvent(Event):
    """Shared routing and ids of every event about one offer, keyed by offer."""

    service: ClassVar[str] = "participation"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.PARTICIPATION_OFFER

    offer_id: Id
    quality_service_id: Id
    commissioner_organisation_id: OdsCode
    provider_organisation_id: OdsCode
    financial_year: FinancialYear

    def aggregate_id(self) -> str:
        """Key by offer, so one offer's history stays in order."""
        return self.offer_id


class OfferMade(Event):
    """A commissioner offered a Quality Service to one provider; the offer is now Offered.

    ``quality_service_version`` is the published version offered; ``request_id`` is set when
    the offer answers a provider's ``ServiceRequested``.
    """

    service: ClassVar[str] = "participation"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.PARTICIPATION_OFFER

    offer_id: Id
    quality_service_id: Id
    commissioner_organisation_id: OdsCode
    provider_organisation_id: OdsCode
    financial_year: FinancialYear
    payment_type: Text
    service_start: dt.date
    service_end: dt.date
    response_date: dt.date
    target_date: dt.date | None = None
    offered_at: UtcDatetime
    quality_service_version: int | None = None
    offered_by: Id | None = None
    request_id: Id | None = None

    def aggregate_id(self) -> str:
        """Key by offer, so one offer's history stays in order."""
        return self.offer_id

    @model_validator(mode="after")
    def _service_period_is_ordered(self) -> Self:
        """Refuse an offer whose service ends before it starts."""
        if self.service_start > self.service_end:
            msg = "service_start must be on or before service_end"
            raise ValueError(msg)
        return self


class OfferAccepted(_OfferEvent):
    """The provider accepted the offer; it is now Approved and its service may be claimed."""

    accepted_by: Id
    accepted_at: UtcDatetime


class OfferRejected(_OfferEvent):
    """The provider rejected the offer (the commissioner is told); it is now Rejected."""

    reason: Text | None = None
    rejected_by: Id
    rejected_at: UtcDatetime


class OfferWithdrawn(_OfferEvent):
    """The commissioner withdrew an Offered offer; it is now Cancelled (shown as withdrawn)."""

    reason: Text | None = None
    withdrawn_by: Id
    withdrawn_at: UtcDatetime


class OfferCancelled(_OfferEvent):
    """The commissioner cancelled an Approved or Rejected offer; it is now Cancelled.

    After an Approved offer is cancelled its service can no longer be claimed.
    """

    previous_status: Literal["Approved", "Rejected"]
    reason: Text | None = None
    cancelled_by: Id
    cancelled_at: UtcDatetime


class OfferReissued(_OfferEvent):
    """The commissioner offered a Rejected or Cancelled offer again; it is Offered once more.

    The dates are the reissued offer's (they may differ from the first offer's).
    """

    previous_status: Literal["Rejected", "Cancelled"]
    quality_service_version: int | None = None
    payment_type: Text
    service_start: dt.date
    service_end: dt.date
    response_date: dt.date
    target_date: dt.date | None = None
    reissued_by: Id
    reissued_at: UtcDatetime

    @model_validator(mode="after")
    def _service_period_is_ordered(self) -> Self:
        """Refuse an offer whose service ends before it starts."""
        if self.service_start > self.service_end:
            msg = "service_start must be on or before service_end"
            raise ValueError(msg)
        return self


class ServiceRequested(Event):
    """A provider asked its commissioner to be offered a Quality Service (CQRS Local)."""

    service: ClassVar[str] = "participation"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.PARTICIPATION_OFFER

    request_id: Id
    quality_service_id: Id
    commissioner_organisation_id: OdsCode
    provider_organisation_id: OdsCode
    financial_year: FinancialYear
    note: Text | None = None
    requested_by: Id
    requested_at: UtcDatetime

    def aggregate_id(self) -> str:
        """Key by request."""
        return self.request_id
