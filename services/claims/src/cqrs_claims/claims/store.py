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
WINDOWS = "claim_windows"
INDEXES = [
    Index(CLAIMS, ["provider_organisation_id", "status"]),
    Index(CLAIMS, ["commissioner_organisation_id", "status"]),
    Index(CLAIMS, ["drafted_at"]),
]
#: How many times a Claim ID is tried before giving up (each miss means another replica won it).
_ATTEMPTS = 100
#: A window's hold whose claim does not show it is left alone this long (its claim may be saving).
_STALE_HOLD = dt.timedelta(seconds=30)


class ClaimIdsExhausted(RuntimeError):
    """No Claim ID could be taken after many attempts: the counter is contended beyond reason."""


class WindowHeld(Exception):
    """Another live claim of the provider holds this service window (two drafts raced for it)."""

    def __init__(self, key: str, holder: str) -> None:
        service = key.split(":", maxsplit=1)[0]
        super().__init__(f"claim {holder} already claims {service} for this window")
        self.key = key
        self.holder = holder


class ClaimStore:
    """Claims saved with their events, numbered, and found for the views."""

    def __init__(self, runtime: Runtime, first_claim_id: int) -> None:
        self.aggregates: Aggregates[Claim] = Aggregates(runtime, CLAIMS, Claim, "claim_id")
        self._ids = runtime.mongo.collection(CLAIM_IDS)
        self._windows = runtime.mongo.collection(WINDOWS)
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

    async def save(
        self, before: Claim | None, state: Claim, events: list[Any], *, correlation_id: str | None, actor: str
    ) -> Claim:
        """Save a claim, holding each service window it newly takes (one holder per provider and window,
        guarded by a unique insert: two drafts racing across replicas cannot both take it) and letting
        go of those it no longer holds."""
        was = set(before.taken) if before else set()
        for key in sorted(set(state.taken) - was):
            await self._hold(state.provider_organisation_id, key, state.claim_id)
        saved = await self.aggregates.save(state, events, correlation_id=correlation_id, actor=actor)
        for key in sorted(was - set(saved.taken)):
            hold = _hold_id(saved.provider_organisation_id, key)
            await self._windows.delete_one({"_id": hold, "claim_id": saved.claim_id})
        return saved

    async def _hold(self, provider: str, key: str, claim_id: str) -> None:
        hold = _hold_id(provider, key)
        for _ in range(_ATTEMPTS):
            try:
                now = dt.datetime.now(dt.UTC)
                await self._windows.insert_one({"_id": hold, "claim_id": claim_id, "at": now})
            except DuplicateKeyError:
                held = await self._windows.find_one({"_id": hold})
                if held is None:
                    continue
                if held["claim_id"] == claim_id:
                    return
                holder = await self.get(held["claim_id"])
                fresh = held["at"].replace(tzinfo=dt.UTC) > dt.datetime.now(dt.UTC) - _STALE_HOLD
                if (holder is not None and key in holder.taken) or fresh:
                    raise WindowHeld(key, held["claim_id"]) from None
                # A crash left the hold behind (its claim never took the window, or let it go).
                await self._windows.delete_one({"_id": hold, "claim_id": held["claim_id"]})
                continue
            return
        raise WindowHeld(key, "another")

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


def _hold_id(provider: str, key: str) -> str:
    return f"{provider}|{key}"
