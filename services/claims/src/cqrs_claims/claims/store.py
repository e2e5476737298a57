"""Where claims are kept: the claim aggregates, the Claim ID counter, and the queries of the views."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from cqrs_claims.claims.domain.claim import Claim, ClaimStatus
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.mongo import Index
from cqrs_kit.runtime import Runtime

CLAIMS = "claims"
CLAIM_IDS = "claim_ids"
INDEXES = [
    Index(CLAIMS, ["provider_organisation_id", "status"]),
    Index(CLAIMS, ["commissioner_organisation_id", "status"]),
    Index(CLAIMS, ["drafted_at"]),
]
#: How many times a Claim ID is tried before giving up (each miss means another replica won it).
_ATTEMPTS = 100


class ClaimIdsExhausted(RuntimeError):
    """No Claim ID could be taken after many attempts: the counter is contended beyond reason."""


class ClaimStore:
    """Claims saved with their events, numbered, and found for the views."""

    def __init__(self, runtime: Runtime, first_claim_id: int) -> None:
        self.aggregates: Aggregates[Claim] = Aggregates(runtime, CLAIMS, Claim, "claim_id")
        self._ids = runtime.mongo.collection(CLAIM_IDS)
        self._first = first_claim_id

    async def next_claim_id(self) -> str:
        """The next Claim ID: unique and increasing across replicas.

        FerretDB v1 has no atomic increment across processes, so an ID is taken by inserting it as
        a unique ``_id``; a replica that loses the race reads the new highest and tries the next.
        """
        for _ in range(_ATTEMPTS):
            last = await self._ids.find_one({}, sort=[("_id", DESCENDING)])
            number = int(last["_id"]) + 1 if last else self._first
            try:
                await self._ids.insert_one({"_id": number, "taken_at": dt.datetime.now(dt.UTC)})
            except DuplicateKeyError:
                continue
            return str(number)
        msg = f"no Claim ID free after {_ATTEMPTS} attempts"
        raise ClaimIdsExhausted(msg)

    async def get(self, claim_id: str) -> Claim | None:
        """One claim (deleted drafts included: callers hide them)."""
        return await self.aggregates.get(claim_id)

    async def taken(self, providers: list[str], but: str | None = None) -> set[str]:
        """Service windows the providers' other live claims hold (a deleted draft holds nothing)."""
        query: dict[str, Any] = {"provider_organisation_id": {"$in": providers}}
        found: set[str] = set()
        async for doc in self.aggregates.collection.find(query, {"taken": 1}):
            if doc["_id"] != but:
                found.update(doc.get("taken", []))
        return found

    async def page(self, query: dict[str, Any], *, page: int, size: int) -> tuple[int, list[Claim]]:
        """One page of claims, newest Claim ID first, and how many match."""
        query = {**query, "status": query.get("status", {"$ne": ClaimStatus.DELETED.value})}
        collection = self.aggregates.collection
        total = await collection.count_documents(query)
        cursor = collection.find(query).sort("drafted_at", DESCENDING).skip((page - 1) * size).limit(size)
        return total, [Claim.model_validate({**d, "claim_id": d["_id"]}) async for d in cursor]
