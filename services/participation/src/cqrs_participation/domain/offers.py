"""An offer of a Quality Service to one provider, decided purely from state and command."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cqrs_contracts.events import OfferMade
from cqrs_contracts.values import FinancialYear, Id, OdsCode, Text


class OfferStatus(StrEnum):
    """The statuses users see on an offer."""

    OFFERED = "Offered"
    APPROVED = "Approved"
    REJECTED = "Rejected"
    CANCELLED = "Cancelled"


class OfferRuleBroken(ValueError):
    """A command would break an offer rule; the message says which."""


class MakeOffer(BaseModel):
    """Offer a Quality Service to one provider (walking-skeleton subset of the five-step flow)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quality_service_id: Id
    commissioner_organisation_id: OdsCode
    provider_organisation_id: OdsCode
    financial_year: FinancialYear
    payment_type: Text
    service_start: dt.date
    service_end: dt.date
    response_date: dt.date
    target_date: dt.date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> MakeOffer:
        if self.service_start > self.service_end:
            msg = "service_end must be on or after service_start"
            raise ValueError(msg)
        return self


class Offer(BaseModel):
    """An offer's state as saved."""

    offer_id: str
    status: OfferStatus
    quality_service_id: str
    commissioner_organisation_id: str
    provider_organisation_id: str
    financial_year: str
    payment_type: str
    service_start: dt.date
    service_end: dt.date
    response_date: dt.date
    target_date: dt.date | None = None
    offered_at: dt.datetime
    version: int = Field(default=0)


def make_offer(offer_id: str, command: MakeOffer, now: dt.datetime) -> list[OfferMade]:
    """Decide a new offer: it is Offered to the provider."""
    if command.provider_organisation_id == command.commissioner_organisation_id:
        msg = "a commissioner cannot offer a service to itself"
        raise OfferRuleBroken(msg)
    return [OfferMade(offer_id=offer_id, offered_at=now, **command.model_dump())]


def apply(state: Offer | None, event: OfferMade) -> Offer:
    """Fold an event into the offer's state."""
    return Offer(
        offer_id=event.offer_id,
        status=OfferStatus.OFFERED,
        quality_service_id=event.quality_service_id,
        commissioner_organisation_id=event.commissioner_organisation_id,
        provider_organisation_id=event.provider_organisation_id,
        financial_year=event.financial_year,
        payment_type=event.payment_type,
        service_start=event.service_start,
        service_end=event.service_end,
        response_date=event.response_date,
        target_date=event.target_date,
        offered_at=event.offered_at,
        version=state.version if state else 0,
    )
