"""Where each commissioner's review flow is kept (the default applies until one is saved).

A flow is an aggregate of the kit (one commit record per save, version-guarded across replicas), so
an edit names the version it was made from (If-Match) and an edit made meanwhile by someone else is
refused with 412, never silently lost. The history of a flow is its commit records.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from cqrs_claims.review.domain.flow import ReviewFlow, default_flow
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.mongo import Index
from cqrs_kit.preconditions import check
from cqrs_kit.runtime import Runtime

FLOWS = "flows"
#: Where flows were kept, unversioned, before: read (as version 0) until the first save.
UNVERSIONED = "review_flows"
INDEXES: list[Index] = [
    Index("claims", ["commissioner_organisation_id", "review.step", "status"]),
    Index("claims", ["review.awaiting_since"]),
    Index("claims", ["payment.batch_id"]),
]


class SavedFlow(BaseModel):
    """A commissioner's flow as saved: who saved it and when, at which version."""

    commissioner: str
    flow: ReviewFlow
    saved_by: str | None = None
    saved_at: dt.datetime | None = None
    version: int = 0


class FlowStore:
    """Review flows by commissioner."""

    def __init__(self, runtime: Runtime) -> None:
        self.aggregates = Aggregates(runtime, FLOWS, SavedFlow, "commissioner")
        self._unversioned = runtime.mongo.collection(UNVERSIONED)

    async def current(self, commissioner: str) -> tuple[ReviewFlow, int]:
        """The commissioner's flow and its version (0: the default, or one saved before versions)."""
        saved = await self.aggregates.get(commissioner)
        if saved is not None:
            return saved.flow, saved.version
        old = await self._unversioned.find_one({"_id": commissioner})
        return (default_flow() if old is None else ReviewFlow.model_validate(old["flow"])), 0

    async def flow(self, commissioner: str) -> ReviewFlow:
        """The commissioner's flow, or the default."""
        return (await self.current(commissioner))[0]

    async def save(
        self, commissioner: str, flow: ReviewFlow, actor: str, *, made_from: int
    ) -> tuple[ReviewFlow, int]:
        """Replace the commissioner's flow, made from version ``made_from`` (claims already in review
        keep the steps they were given). PreconditionFailed (412) when someone saved since; a save
        racing another from the same version gets VersionConflict (409)."""
        _, version = await self.current(commissioner)
        check(made_from, version, "review flow")
        saved = await self.aggregates.save(
            SavedFlow(
                commissioner=commissioner,
                flow=flow,
                saved_by=actor,
                saved_at=dt.datetime.now(dt.UTC),
                version=version,
            ),
            [],
            correlation_id=None,
            actor=actor,
        )
        return saved.flow, saved.version
