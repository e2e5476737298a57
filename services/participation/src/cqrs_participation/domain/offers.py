"""An offer of a Quality Service to one provider, and the table of what may happen to it.

| status    | accept   | reject   | withdraw            | cancel              | reissue |
|-----------|----------|----------|---------------------|---------------------|---------|
| Offered   | Approved | Rejected | Cancelled/withdrawn | -                   | -       |
| Approved  | -        | -        | -                   | Cancelled/cancelled | -       |
| Rejected  | -        | -        | -                   | Cancelled/cancelled | Offered |
| Cancelled | -        | -        | -                   | -                   | Offered |

The provider (Service Management) accepts or rejects; the commissioner (Commissioning Management)
withdraws, cancels and reissues. Every refused pair has a message saying what is allowed instead.
An offer is *live* while Offered or Approved: a provider has at most one live offer of a service.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel

from cqrs_participation.domain.errors import NotAllowedInStatus


class OfferStatus(StrEnum):
    """The statuses users see on an offer."""

    OFFERED = "Offered"
    APPROVED = "Approved"
    REJECTED = "Rejected"
    CANCELLED = "Cancelled"


class OfferCommand(StrEnum):
    """What a user may ask of an offer."""

    ACCEPT = "accept"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    CANCEL = "cancel"
    REISSUE = "reissue"


S, C = OfferStatus, OfferCommand

TRANSITIONS: dict[tuple[OfferStatus, OfferCommand], OfferStatus] = {
    (S.OFFERED, C.ACCEPT): S.APPROVED,
    (S.OFFERED, C.REJECT): S.REJECTED,
    (S.OFFERED, C.WITHDRAW): S.CANCELLED,
    (S.APPROVED, C.CANCEL): S.CANCELLED,
    (S.REJECTED, C.CANCEL): S.CANCELLED,
    (S.REJECTED, C.REISSUE): S.OFFERED,
    (S.CANCELLED, C.REISSUE): S.OFFERED,
}
"""The allowed transitions: (status, command) -> the status after it."""

REFUSALS: dict[tuple[OfferStatus, OfferCommand], str] = {
    (S.OFFERED, C.CANCEL): "Offered services cannot be cancelled but may be withdrawn",
    (S.OFFERED, C.REISSUE): "Offered services are already on offer; they may be withdrawn",
    (S.APPROVED, C.ACCEPT): "Approved services are already accepted; the commissioner may cancel them",
    (S.APPROVED, C.REJECT): (
        "Approved services cannot be rejected; ask the commissioner to cancel the service"
    ),
    (S.APPROVED, C.WITHDRAW): "Approved services cannot be withdrawn but may be cancelled",
    (S.APPROVED, C.REISSUE): "Approved services cannot be reissued; they may be cancelled",
    (S.REJECTED, C.ACCEPT): (
        "Rejected services cannot be accepted; ask the commissioner to reissue the offer"
    ),
    (S.REJECTED, C.REJECT): "Rejected services are already rejected; the commissioner may reissue them",
    (S.REJECTED, C.WITHDRAW): "Rejected services cannot be withdrawn but may be cancelled or reissued",
    (S.CANCELLED, C.ACCEPT): (
        "Cancelled services cannot be accepted; ask the commissioner to reissue the offer"
    ),
    (S.CANCELLED, C.REJECT): "Cancelled services cannot be rejected; they are no longer on offer",
    (S.CANCELLED, C.WITHDRAW): "Cancelled services cannot be withdrawn again; they may be reissued",
    (S.CANCELLED, C.CANCEL): "Cancelled services cannot be cancelled again; they may be reissued",
}
"""Every refused (status, command) pair and what the user may do instead."""

LIVE = frozenset({S.OFFERED, S.APPROVED})
"""Statuses in which an offer blocks a second offer of the same service to the same provider."""


def next_status(status: OfferStatus, command: OfferCommand) -> OfferStatus:
    """The status after the command, or NotAllowedInStatus saying what is allowed instead."""
    after = TRANSITIONS.get((status, command))
    if after is None:
        raise NotAllowedInStatus(REFUSALS[(status, command)], field="status")
    return after


class Offer(BaseModel):
    """An offer's state as saved and shown (service name copied in for the lists)."""

    offer_id: str
    version: int = 0
    status: OfferStatus
    ended_by: Literal["withdrawn", "cancelled"] | None = None
    quality_service_id: str
    quality_service_version: int
    service_name: str
    commissioner_organisation_id: str
    provider_organisation_id: str
    provider_name: str = ""
    financial_year: str
    payment_type: str
    service_start: dt.date
    service_end: dt.date
    response_date: dt.date
    target_date: dt.date | None = None
    offered_at: dt.datetime
    offered_by: str
    draft_id: str | None = None
    request_id: str | None = None
    reason: str | None = None
    decided_at: dt.datetime | None = None
    decided_by: str | None = None

    @property
    def live(self) -> bool:
        """Whether this offer blocks a second offer of the service to the provider."""
        return self.status in LIVE

    def live_key(self) -> str:
        """The key a provider's one live offer of a service is held under."""
        return live_key(self.quality_service_id, self.provider_organisation_id)


def live_key(quality_service_id: str, provider: str) -> str:
    """The unique key of "this provider's live offer of this service"."""
    return f"{quality_service_id}|{provider}"
