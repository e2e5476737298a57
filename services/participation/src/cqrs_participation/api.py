"""Participation HTTP routes (walking skeleton: make an offer, read it back)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from cqrs_kit.auth import CurrentUser
from cqrs_kit.errors import DomainError, NotFound
from cqrs_kit.runtime import RuntimeDep
from cqrs_participation import service
from cqrs_participation.domain.offers import MakeOffer, Offer, OfferRuleBroken

router = APIRouter(tags=["offers"])


@router.post("/offers", status_code=status.HTTP_201_CREATED)
async def make_offer(command: MakeOffer, request: Request, runtime: RuntimeDep, _user: CurrentUser) -> Offer:
    """Offer a Quality Service to one provider; the provider gets a Message Centre task."""
    try:
        return await service.make_offer(runtime, command, correlation_id=request.state.correlation_id)
    except OfferRuleBroken as exc:
        raise DomainError(str(exc)) from exc


@router.get("/offers/{offer_id}")
async def get_offer(offer_id: str, runtime: RuntimeDep, _user: CurrentUser) -> Offer:
    """One offer with its status."""
    offer = await service.get_offer(runtime, offer_id)
    if offer is None:
        raise NotFound(f"no offer {offer_id}")
    return offer
