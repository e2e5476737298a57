"""Where each commissioner's review flow is kept (the default applies until one is saved)."""

from __future__ import annotations

import datetime as dt

from cqrs_claims.review.domain.flow import ReviewFlow, default_flow
from cqrs_kit.aggregates import storable
from cqrs_kit.mongo import Index, Mongo

FLOWS = "review_flows"
INDEXES: list[Index] = [
    Index("claims", ["commissioner_organisation_id", "review.step", "status"]),
    Index("claims", ["review.awaiting_since"]),
    Index("claims", ["payment.batch_id"]),
]


class FlowStore:
    """Review flows by commissioner."""

    def __init__(self, mongo: Mongo) -> None:
        self._flows = mongo.collection(FLOWS)

    async def flow(self, commissioner: str) -> ReviewFlow:
        """The commissioner's flow, or the default."""
        doc = await self._flows.find_one({"_id": commissioner})
        return default_flow() if doc is None else ReviewFlow.model_validate(doc["flow"])

    async def save(self, commissioner: str, flow: ReviewFlow, actor: str) -> None:
        """Replace the commissioner's flow (claims already in review keep the steps they were given)."""
        doc = {
            "flow": storable(flow.model_dump(mode="python")),
            "saved_by": actor,
            "saved_at": dt.datetime.now(dt.UTC),
        }
        await self._flows.replace_one({"_id": commissioner}, doc, upsert=True)
