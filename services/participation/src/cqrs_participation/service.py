"""Participation use cases: load, decide, save with outbox, wake the relay."""

from __future__ import annotations

import uuid

from cqrs_kit import clock
from cqrs_kit.outbox import outbox_entries
from cqrs_kit.runtime import Runtime
from cqrs_participation.domain import offers
from cqrs_participation.store import OFFERS, OfferStore


async def make_offer(
    runtime: Runtime, command: offers.MakeOffer, *, correlation_id: str, actor: str | None = None
) -> offers.Offer:
    """Make one offer: it is saved with its OfferMade, then the relay publishes it."""
    offer_id = str(uuid.uuid4())
    events = offers.make_offer(offer_id, command, clock.now())
    state = offers.apply(None, events[0])
    entries = outbox_entries(events, source=runtime.source, correlation_id=correlation_id, actor=actor)
    state.version = await OfferStore(runtime.mongo.collection(OFFERS)).save(state, entries)
    runtime.relay.wake(OFFERS, state.offer_id)
    return state


async def get_offer(runtime: Runtime, offer_id: str) -> offers.Offer | None:
    """One offer by id."""
    return await OfferStore(runtime.mongo.collection(OFFERS)).get(offer_id)
