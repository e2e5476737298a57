"""Events published by Participation Management (offering Quality Services to providers)."""

import datetime as dt
from typing import ClassVar, Self

from pydantic import model_validator

from cqrs_contracts import topics
from cqrs_contracts.events.base import Event
from cqrs_contracts.values import FinancialYear, Id, OdsCode, Text, UtcDatetime


class OfferMade(Event):
    """A commissioner offered a Quality Service to one provider; the offer is now Offered."""

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
