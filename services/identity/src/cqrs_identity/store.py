"""The only module of identity that talks to MongoDB: aggregates with their outbox, and tokens."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from cqrs_identity.allocations.allocation import Allocation
from cqrs_identity.clusters.cluster import Cluster
from cqrs_identity.organisations.relationships import PracticePcns
from cqrs_identity.organisations.tree import Organisation
from cqrs_identity.users.accounts import Account
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.mongo import Index
from cqrs_kit.runtime import Runtime

ORGANISATIONS = "organisations"
PRACTICE_PCNS = "practice_pcns"
USERS = "users"
CLUSTERS = "clusters"
ALLOCATIONS = "allocations"
REFRESH_TOKENS = "refresh_tokens"
ATTEMPTS = "throttle_attempts"
LOGINS = "login_audit"
SIGNING_KEYS = "signing_keys"
COUNTERS = "counters"
LINK_KEYS = "link_keys"

OUTBOX_COLLECTIONS = [ORGANISATIONS, PRACTICE_PCNS, USERS, CLUSTERS, ALLOCATIONS]
INDEXES = [
    Index(ORGANISATIONS, ["parent"]),
    Index(PRACTICE_PCNS, ["relationships.pcn"]),
    Index(USERS, ["email_key"], unique=True, name="one_account_per_email"),
    Index(USERS, ["organisations"]),
    Index(USERS, ["requests.request_id"]),
    Index(USERS, ["completion.token_hash"]),
    Index(USERS, ["reset.token_hash"]),
    Index(USERS, ["member_organisations"]),
    Index(CLUSTERS, ["organisation", "name_key"], unique=True, name="cluster_name_unique"),
    Index(ALLOCATIONS, ["descendant"]),
    Index(REFRESH_TOKENS, ["user_id"]),
    Index(LOGINS, ["user_id"]),
]


def token_hash(token: str) -> str:
    """Tokens and links are kept only as hashes, so a database leak reveals none."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """An unguessable token for links and refresh tokens."""
    return secrets.token_urlsafe(32)


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
    """Refresh tokens: stored hashed, single use (rotated), in families that end together (logout,
    replay, disable, password change) and at the family's absolute session end."""

    def __init__(self, runtime: Runtime) -> None:
        self._tokens = runtime.mongo.collection(REFRESH_TOKENS)

    async def issue(
        self,
        user_id: str,
        expires_at: dt.datetime,
        family_id: str | None = None,
        session_ends_at: dt.datetime | None = None,
    ) -> str:
        """A new refresh token for the user (in the family of the one it replaces)."""
        token = new_token()
        await self._tokens.insert_one(
            {
                "_id": token_hash(token),
                "user_id": user_id,
                "family_id": family_id or new_token(),
                "expires_at": expires_at,
                "session_ends_at": session_ends_at or expires_at,
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


class Attempts:
    """Recent attempts per throttling key (e.g. ``login:pair:<email>|<address>``): only times."""

    def __init__(self, runtime: Runtime) -> None:
        self._attempts = runtime.mongo.collection(ATTEMPTS)

    async def recent(self, key: str) -> list[dt.datetime]:
        """The attempts remembered for this key."""
        doc = await self._attempts.find_one({"_id": key})
        return list(doc["at"]) if doc else []

    async def record(self, key: str, now: dt.datetime) -> None:
        """Remember one more attempt (only the last hundred are kept)."""
        await self._attempts.update_one(
            {"_id": key}, {"$push": {"at": {"$each": [now], "$slice": -100}}}, upsert=True
        )

    async def clear(self, key: str) -> None:
        """Forget the attempts (after a successful login)."""
        await self._attempts.delete_one({"_id": key})


class LoginAudit:
    """Every login attempt (success, failure, lock-out, refusal), insert-only, for the audit trail."""

    def __init__(self, runtime: Runtime) -> None:
        self._logins = runtime.mongo.collection(LOGINS)

    async def record(
        self, *, at: dt.datetime, email_key: str, user_id: str | None, address: str, outcome: str
    ) -> None:
        """Write one line."""
        await self._logins.insert_one(
            {
                "_id": new_token(),
                "at": at,
                "email_key": email_key,
                "user_id": user_id,
                "address": address,
                "outcome": outcome,
            }
        )

    async def of_users(self, user_ids: list[str]) -> list[dict[str, Any]]:
        """The login lines of these users (a user's failed attempts name their account)."""
        if not user_ids:
            return []
        return [doc async for doc in self._logins.find({"user_id": {"$in": user_ids}})]


class LinkKeys:
    """The secret key emailed links are derived from: made once per installation (an insert, so
    two instances agree on one) and kept, unless CQRS_IDENTITY_LINK_KEY gives it."""

    def __init__(self, runtime: Runtime) -> None:
        self._keys = runtime.mongo.collection(LINK_KEYS)

    async def key(self) -> bytes:
        """The current link key."""
        doc = await self._keys.find_one({"_id": "current"})
        if doc is None:
            with contextlib.suppress(DuplicateKeyError):  # another instance made it first: use theirs
                await self._keys.insert_one({"_id": "current", "key": secrets.token_urlsafe(32)})
            doc = await self._keys.find_one({"_id": "current"})
        assert doc is not None
        return str(doc["key"]).encode()
