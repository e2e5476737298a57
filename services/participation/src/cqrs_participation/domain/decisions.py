"""What happens to an offer when a provider or commissioner acts on it: new state and its event.

Each function checks the state table (``offers.next_status``) first, so a refused command raises
``NotAllowedInStatus`` with the guide's wording and produces nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from cqrs_contracts.events import (
    OfferAccepted,
    OfferCancelled,
    OfferMade,
    OfferReissued,
    OfferRejected,
    OfferWithdrawn,
)
from cqrs_participation.domain.dates import OfferDates, check_offer_dates
from cqrs_participation.domain.definition import ServiceDefinition
from cqrs_participation.domain.offers import Offer, OfferCommand, OfferStatus, next_status

Decision = tuple[
    Offer, list[OfferMade | OfferAccepted | OfferRejected | OfferWithdrawn | OfferCancelled | OfferReissued]
]


class Act(BaseModel):
    """Who acts and when (the actor is a user id)."""

    model_config = ConfigDict(frozen=True)

    actor: str
    now: dt.datetime

    @model_validator(mode="after")
    def _aware(self) -> Act:
        if self.now.tzinfo is None:
            msg = "now must be timezone-aware"
            raise ValueError(msg)
        return self


def _ids(offer: Offer) -> dict[str, Any]:
    return {
        "offer_id": offer.offer_id,
        "quality_service_id": offer.quality_service_id,
        "commissioner_organisation_id": offer.commissioner_organisation_id,
        "provider_organisation_id": offer.provider_organisation_id,
        "financial_year": offer.financial_year,
    }


def _decided(offer: Offer, status: OfferStatus, act: Act, **changes: object) -> Offer:
    update = {"status": status, "decided_at": act.now, "decided_by": act.actor, **changes}
    return offer.model_copy(update=update)


def accept(offer: Offer, act: Act) -> Decision:
    """The provider accepts: Approved, and the service may be claimed."""
    status = next_status(offer.status, OfferCommand.ACCEPT)
    event = OfferAccepted(**_ids(offer), accepted_by=act.actor, accepted_at=act.now)
    return _decided(offer, status, act, reason=None), [event]


def reject(offer: Offer, act: Act, reason: str | None = None) -> Decision:
    """The provider rejects, optionally saying why; the commissioner is told."""
    status = next_status(offer.status, OfferCommand.REJECT)
    event = OfferRejected(**_ids(offer), reason=reason, rejected_by=act.actor, rejected_at=act.now)
    return _decided(offer, status, act, reason=reason), [event]


def withdraw(offer: Offer, act: Act, reason: str | None = None) -> Decision:
    """The commissioner withdraws an Offered offer: Cancelled, recorded as withdrawn."""
    status = next_status(offer.status, OfferCommand.WITHDRAW)
    event = OfferWithdrawn(**_ids(offer), reason=reason, withdrawn_by=act.actor, withdrawn_at=act.now)
    return _decided(offer, status, act, ended_by="withdrawn", reason=reason), [event]


def cancel(offer: Offer, act: Act, reason: str | None = None) -> Decision:
    """The commissioner cancels an Approved or Rejected offer: Cancelled, recorded as cancelled."""
    previous = offer.status
    status = next_status(previous, OfferCommand.CANCEL)
    event = OfferCancelled(
        **_ids(offer),
        previous_status="Approved" if previous is OfferStatus.APPROVED else "Rejected",
        reason=reason,
        cancelled_by=act.actor,
        cancelled_at=act.now,
    )
    return _decided(offer, status, act, ended_by="cancelled", reason=reason), [event]


def reissue(offer: Offer, act: Act, dates: OfferDates, service: ServiceDefinition, version: int) -> Decision:
    """The commissioner offers a Rejected or Cancelled offer again, with new dates checked afresh."""
    previous = offer.status
    status = next_status(previous, OfferCommand.REISSUE)
    check_offer_dates(dates, service, today=act.now.date())
    event = OfferReissued(
        **_ids(offer),
        previous_status="Rejected" if previous is OfferStatus.REJECTED else "Cancelled",
        quality_service_version=version,
        payment_type=offer.payment_type,
        reissued_by=act.actor,
        reissued_at=act.now,
        **dates.model_dump(),
    )
    state = offer.model_copy(
        update={
            "status": status,
            "ended_by": None,
            "reason": None,
            "quality_service_version": version,
            "offered_at": act.now,
            "offered_by": act.actor,
            "decided_at": None,
            "decided_by": None,
            **dates.model_dump(),
        }
    )
    return state, [event]
