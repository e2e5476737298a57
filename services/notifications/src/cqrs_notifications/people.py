"""Who the users are, built only from identity's events: their address, whether their account is
enabled, their notification preferences, and per organisation their roles (with payment types),
clusters and whether access there is revoked.

Each fact keeps the time of the event that set it and only a newer event replaces it, so a
repeated or late event changes nothing (idempotent and order-tolerant). A membership's roles,
clusters and access are separate facts: RolesChanged may arrive before AccessGranted.

Readers use an in-process snapshot kept exact by a change log (``people_snapshot``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from pymongo.errors import DuplicateKeyError

from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events.base import Event
from cqrs_contracts.events.identity import (
    AccessGranted,
    AccessRestored,
    AccessRevoked,
    AccountDisabled,
    AccountEnabled,
    InvitationSent,
    NotificationPreferencesChanged,
    RegistrationApproved,
    RegistrationCompleted,
    RolesChanged,
    UserClustersChanged,
    UserRegistered,
)
from cqrs_kit.mongo import Collection, Index, Mongo
from cqrs_notifications.people_snapshot import (
    CHANGES,
    MEMBERSHIPS,
    USERS,
    VERSION,
    Membership,
    PeopleSnapshot,
    Person,
    SnapshotCache,
)

INDEXES = [Index(MEMBERSHIPS, ["organisation"]), Index(MEMBERSHIPS, ["user_id"])]
__all__ = ["CHANGES", "EVENTS", "MEMBERSHIPS", "USERS", "VERSION", "Membership", "People", "Person"]

EVENTS: tuple[type[Event], ...] = (
    UserRegistered,
    RegistrationApproved,
    RegistrationCompleted,
    InvitationSent,
    AccessGranted,
    AccessRevoked,
    AccessRestored,
    AccountDisabled,
    AccountEnabled,
    RolesChanged,
    UserClustersChanged,
    NotificationPreferencesChanged,
)
"""Every identity event the read model is built from."""


class People:
    """The users and memberships collections: facts written newest-wins, read through a snapshot."""

    def __init__(self, mongo: Mongo) -> None:
        self.users: Collection = mongo.collection(USERS)
        self.memberships: Collection = mongo.collection(MEMBERSHIPS)
        self.cache = SnapshotCache(mongo)

    async def apply(self, event: Event, envelope: Envelope) -> None:
        """Fold one identity event into the read model, then log what it changed for readers."""
        facts = _facts(event)
        at = envelope.time
        for collection, key, fact, fields in facts:
            await _newer(self.users if collection == USERS else self.memberships, key, fact, at, fields)
        if facts:
            await self.cache.changed([(collection, key) for collection, key, _, _ in facts])

    async def snapshot(self) -> PeopleSnapshot:
        """Every user and live membership as of now (see ``people_snapshot``)."""
        return await self.cache.snapshot()

    async def person(self, user_id: str) -> Person | None:
        """One user, if any identity event named them."""
        return (await self.snapshot()).person(user_id)


Fact = tuple[str, str, str, dict[str, Any]]
"""(collection, document id, fact name, fields it sets)."""


def _facts(event: Event) -> list[Fact]:  # noqa: PLR0911 - one return per kind of event
    """The facts one event states, each replaced only by a newer event stating the same fact."""
    user = getattr(event, "user_id", "")
    match event:
        case UserRegistered() | RegistrationCompleted() | InvitationSent():
            name = f"{event.first_name} {event.last_name}"
            return [(USERS, user, "profile", {"email": event.email, "name": name})]
        case RegistrationApproved():
            return [(USERS, user, "address", {"email": event.email})]
        case NotificationPreferencesChanged():
            prefs = {
                "task_emails": event.task_emails,
                "message_emails": event.message_emails,
                "daily_digest": event.daily_digest,
            }
            return [(USERS, user, "preferences", prefs), (USERS, user, "address", {"email": event.email})]
        case AccountDisabled() | AccountEnabled():
            return [(USERS, user, "account", {"disabled": isinstance(event, AccountDisabled)})]
        case AccessGranted() | AccessRestored() | AccessRevoked():
            key = f"{user}|{event.organisation_ods_code}"
            fields = {
                "revoked": isinstance(event, AccessRevoked),
                **_member(user, event.organisation_ods_code),
            }
            return [(MEMBERSHIPS, key, "access", fields)]
        case RolesChanged():
            key = f"{user}|{event.organisation_ods_code}"
            fields = {
                "roles": [r.role for r in event.roles],
                "payment_types": {r.role: list(r.payment_types) for r in event.roles if r.payment_types},
                **_member(user, event.organisation_ods_code),
            }
            return [(MEMBERSHIPS, key, "roles", fields)]
        case UserClustersChanged():
            key = f"{user}|{event.organisation_ods_code}"
            fields = {"cluster_ids": list(event.cluster_ids), **_member(user, event.organisation_ods_code)}
            return [(MEMBERSHIPS, key, "clusters", fields)]
    return []


def _member(user_id: str, organisation: str) -> dict[str, str]:
    return {"user_id": user_id, "organisation": organisation}


async def _newer(
    collection: Collection, key: str, fact: str, at: dt.datetime, fields: dict[str, Any]
) -> None:
    """Set the fact's fields unless a newer event already set them (an upsert that finds the
    document guarded by a newer stamp tries to insert it again and hits the unique `_id`)."""
    stamp = f"at_{fact}"
    with contextlib.suppress(DuplicateKeyError):  # a newer event already stated this fact
        await collection.update_one(
            {"_id": key, "$or": [{stamp: {"$exists": False}}, {stamp: {"$lte": at}}]},
            {"$set": {**fields, stamp: at}},
            upsert=True,
        )
