"""The only module of identity that talks to MongoDB: aggregates with their outbox, and tokens."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from pymongo import ReturnDocument

from cqrs_contracts.events import Event
from cqrs_identity.domain.accounts import Account
from cqrs_identity.domain.allocations import Allocation
from cqrs_identity.domain.clusters import Cluster
from cqrs_identity.domain.organisations import Organisation
from cqrs_identity.domain.relationships import PracticePcns
from cqrs_kit.mongo import Collection, Index
from cqrs_kit.outbox import OUTBOX, outbox_entries, save_aggregate
from cqrs_kit.runtime import Runtime

ORGANISATIONS = "organisations"
PRACTICE_PCNS = "practice_pcns"
USERS = "users"
CLUSTERS = "clusters"
ALLOCATIONS = "allocations"
REFRESH_TOKENS = "refresh_tokens"
LOGIN_FAILURES = "login_failures"
SIGNING_KEYS = "signing_keys"
COUNTERS = "counters"

OUTBOX_COLLECTIONS = [ORGANISATIONS, PRACTICE_PCNS, USERS, CLUSTERS, ALLOCATIONS]
INDEXES = [
    Index(ORGANISATIONS, ["parent"]),
    Index(PRACTICE_PCNS, ["relationships.pcn"]),
    Index(USERS, ["email_key"], unique=True, name="one_account_per_email"),
    Index(USERS, ["organisations"]),
    Index(USERS, ["requests.request_id"]),
    Index(USERS, ["completion.token_hash"]),
    Index(CLUSTERS, ["organisation", "name_key"], unique=True, name="cluster_name_unique"),
    Index(ALLOCATIONS, ["descendant"]),
    Index(REFRESH_TOKENS, ["user_id"]),
]

M = TypeVar("M", bound=BaseModel)


def _storable(value: Any) -> Any:
    """Turn what BSON cannot hold (dates, enums, tuples, sets) into what it can."""
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_storable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def token_hash(token: str) -> str:
    """Tokens and links are kept only as hashes, so a database leak reveals none."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """An unguessable token for links and refresh tokens."""
    return secrets.token_urlsafe(32)


class Aggregates(Generic[M]):
    """One collection of aggregates: load them, and save each with its events in one write."""

    def __init__(self, runtime: Runtime, collection: str, model: type[M], id_field: str) -> None:
        self._runtime = runtime
        self._name = collection
        self.collection: Collection = runtime.mongo.collection(collection)
        self._model = model
        self._id = id_field

    def _load(self, doc: Mapping[str, Any]) -> M:
        return self._model.model_validate({**doc, self._id: doc["_id"]})

    async def get(self, aggregate_id: str) -> M | None:
        """One aggregate, or None."""
        doc = await self.collection.find_one({"_id": aggregate_id}, {OUTBOX: 0})
        return None if doc is None else self._load(doc)

    async def find(self, query: Mapping[str, Any], *, limit: int = 0) -> list[M]:
        """Aggregates matching a query."""
        cursor = self.collection.find(dict(query), {OUTBOX: 0}).limit(limit)
        return [self._load(doc) async for doc in cursor]

    async def save(
        self, state: M, events: Sequence[Event], *, correlation_id: str | None, actor: str | None
    ) -> M:
        """Save state and its events atomically (version-guarded); the relay publishes them."""
        data = _storable(state.model_dump(mode="python"))
        aggregate_id = data.pop(self._id)
        version = data.pop("version")
        entries = outbox_entries(
            events, source=self._runtime.source, correlation_id=correlation_id, actor=actor
        )
        saved = await save_aggregate(self.collection, aggregate_id, version, data, entries)
        self._runtime.relay.wake(self._name, aggregate_id)
        return state.model_copy(update={"version": saved})


class Stores:
    """Every aggregate store of identity, over one runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.organisations = Aggregates(runtime, ORGANISATIONS, Organisation, "ods_code")
        self.practice_pcns = Aggregates(runtime, PRACTICE_PCNS, PracticePcns, "practice")
        self.accounts = Aggregates(runtime, USERS, Account, "user_id")
        self.clusters = Aggregates(runtime, CLUSTERS, Cluster, "cluster_id")
        self.allocations = Aggregates(runtime, ALLOCATIONS, Allocation, "allocation_id")
        self._counters = runtime.mongo.collection(COUNTERS)

    async def next_number(self, name: str) -> int:
        """The next number of a named sequence (atomic, so two callers never share one)."""
        doc = await self._counters.find_one_and_update(
            {"_id": name}, {"$inc": {"value": 1}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        assert doc is not None
        return int(doc["value"])

    async def account_by_email(self, email: str) -> Account | None:
        """The account of this email address, compared case-insensitively."""
        found = await self.accounts.find({"email_key": email.strip().lower()}, limit=1)
        return found[0] if found else None


class RefreshTokens:
    """Refresh tokens: stored hashed, single use (rotated), revoked on disable."""

    def __init__(self, runtime: Runtime) -> None:
        self._tokens = runtime.mongo.collection(REFRESH_TOKENS)

    async def issue(self, user_id: str, expires_at: dt.datetime, family_id: str | None = None) -> str:
        """A new refresh token for the user (in the family of the one it replaces)."""
        token = new_token()
        await self._tokens.insert_one(
            {
                "_id": token_hash(token),
                "user_id": user_id,
                "family_id": family_id or new_token(),
                "expires_at": expires_at,
                "used": False,
                "revoked": False,
            }
        )
        return token

    async def use(self, token: str, now: dt.datetime) -> dict[str, Any] | None:
        """Spend a refresh token once; a second use revokes its whole family (it was stolen)."""
        hashed = token_hash(token)
        doc = await self._tokens.find_one_and_update(
            {"_id": hashed, "used": False, "revoked": False}, {"$set": {"used": True}}
        )
        if doc is None:
            spent = await self._tokens.find_one({"_id": hashed})
            if spent is not None:
                await self._tokens.update_many({"family_id": spent["family_id"]}, {"$set": {"revoked": True}})
            return None
        if doc["expires_at"] <= now:
            return None
        return doc

    async def revoke_user(self, user_id: str) -> None:
        """Stop every refresh token of a user working (disabled account)."""
        await self._tokens.update_many({"user_id": user_id}, {"$set": {"revoked": True}})

    async def revoke(self, token: str) -> None:
        """Log out: stop this token's family working."""
        doc = await self._tokens.find_one({"_id": token_hash(token)})
        if doc is not None:
            await self._tokens.update_many({"family_id": doc["family_id"]}, {"$set": {"revoked": True}})


class LoginFailures:
    """Recent failed logins per email address, for throttling."""

    def __init__(self, runtime: Runtime) -> None:
        self._failures = runtime.mongo.collection(LOGIN_FAILURES)

    async def recent(self, email_key: str) -> list[dt.datetime]:
        """The failures remembered for this address."""
        doc = await self._failures.find_one({"_id": email_key})
        return list(doc["at"]) if doc else []

    async def record(self, email_key: str, now: dt.datetime) -> None:
        """Remember one more failure (only the last few are kept)."""
        await self._failures.update_one(
            {"_id": email_key}, {"$push": {"at": {"$each": [now], "$slice": -20}}}, upsert=True
        )

    async def clear(self, email_key: str) -> None:
        """Forget failures after a successful login."""
        await self._failures.delete_one({"_id": email_key})
