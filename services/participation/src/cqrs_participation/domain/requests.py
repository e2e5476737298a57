"""A provider's request to be offered a Quality Service (CQRS Local), answered by an offer."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

from cqrs_contracts.events import ServiceRequested
from cqrs_participation.domain.errors import RuleBroken


class ServiceRequest(BaseModel):
    """A request waiting for the commissioner, or answered by an offer."""

    request_id: str
    version: int = 0
    status: Literal["Requested", "Offered"] = "Requested"
    quality_service_id: str
    service_name: str
    commissioner_organisation_id: str
    provider_organisation_id: str
    financial_year: str
    note: str | None = None
    requested_by: str
    requested_at: dt.datetime
    offer_id: str | None = None


def request_service(
    request_id: str,
    *,
    quality_service_id: str,
    service_name: str,
    commissioner: str,
    provider: str,
    financial_year: str,
    note: str | None,
    live_offer: bool,
    actor: str,
    now: dt.datetime,
) -> tuple[ServiceRequest, list[ServiceRequested]]:
    """Ask to be offered a service the provider has no live offer of."""
    if live_offer:
        msg = f"{provider} already has this service on offer or approved; see My Services"
        raise RuleBroken(msg, field="quality_service_id")
    event = ServiceRequested(
        request_id=request_id,
        quality_service_id=quality_service_id,
        commissioner_organisation_id=commissioner,
        provider_organisation_id=provider,
        financial_year=financial_year,
        note=note,
        requested_by=actor,
        requested_at=now,
    )
    state = ServiceRequest(
        request_id=request_id,
        quality_service_id=quality_service_id,
        service_name=service_name,
        commissioner_organisation_id=commissioner,
        provider_organisation_id=provider,
        financial_year=financial_year,
        note=note,
        requested_by=actor,
        requested_at=now,
    )
    return state, [event]


def answered(request: ServiceRequest, offer_id: str) -> ServiceRequest:
    """The commissioner offered the service in answer to the request."""
    return request.model_copy(update={"status": "Offered", "offer_id": offer_id})
