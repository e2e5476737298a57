"""The only module of participation that talks to MongoDB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from cqrs_kit.mongo import Collection, Document, Index
from cqrs_kit.outbox import save_aggregate
from cqrs_participation.domain.offers import Offer

OFFERS = "offers"
INDEXES = [
    Index(OFFERS, ["provider_organisation_id", "status"]),
    Index(OFFERS, ["commissioner_organisation_id", "financial_year"]),
]


def _to_doc(offer: Offer) -> dict[str, Any]:
    doc = offer.model_dump(mode="python", exclude={"offer_id", "version"})
    for key, value in doc.items():
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            doc[key] = value.isoformat()
    return doc


class OfferStore:
    """Offers, each saved with its outbox in one atomic write."""

    def __init__(self, collection: Collection) -> None:
        self._offers = collection

    async def save(self, offer: Offer, entries: Sequence[Document]) -> int:
        """Save the offer and append its events to its outbox."""
        return await save_aggregate(self._offers, offer.offer_id, offer.version, _to_doc(offer), entries)

    async def get(self, offer_id: str) -> Offer | None:
        """Load one offer."""
        doc = await self._offers.find_one({"_id": offer_id}, {"outbox": 0})
        if doc is None:
            return None
        return Offer.model_validate({**doc, "offer_id": doc["_id"]})
