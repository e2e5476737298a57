"""Participation use cases: load, decide, save (the kit publishes the events)."""

from __future__ import annotations

import uuid

from cqrs_kit import clock
from cqrs_kit.runtime import Runtime
from cqrs_participation.domain import offers
from cqrs_participation.store import offers as offer_store


async def make_offer(
    runtime: Runtime, command: offers.MakeOffer, *, correlation_id: str, actor: str | None = None
) -> offers.Offer:
    """Make one offer: it is saved with its OfferMade, then the relay publishes it."""
    offer_id = str(uuid.uuid4())
    events = offers.make_offer(offer_id, command, clock.now())
    state = offers.apply(None, events[0])
    return await offer_store(runtime).save(state, events, correlation_id=correlation_id, actor=actor)


async def get_offer(runtime: Runtime, offer_id: str) -> offers.Offer | None:
    """One offer by id."""
    return await offer_store(runtime).get(offer_id)
