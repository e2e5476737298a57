"""The only module of participation that talks to MongoDB."""

from __future__ import annotations

from cqrs_kit.aggregates import Aggregates
from cqrs_kit.mongo import Index
from cqrs_kit.runtime import Runtime
from cqrs_participation.domain.offers import Offer

OFFERS = "offers"
INDEXES = [
    Index(OFFERS, ["provider_organisation_id", "status"]),
    Index(OFFERS, ["commissioner_organisation_id", "financial_year"]),
]


def offers(runtime: Runtime) -> Aggregates[Offer]:
    """Offers, each saved with its events through the kit."""
    return Aggregates(runtime, OFFERS, Offer, "offer_id")
