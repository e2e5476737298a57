"""Who the users are, built only from identity's events: their address, whether their account is
enabled, their notification preferences, and per organisation their roles (with payment types),
clusters and whether access there is revoked.

Each fact keeps the time of the event that set it and only a newer event replaces it, so a
repeated or late event changes nothing (idempotent and order-tolerant). A membership's roles,
clusters and access are separate facts: RolesChanged may arrive before AccessGranted.

Readers use an in-process snapshot of both collections (``People.snapshot``): FerretDB v1 on
PostgreSQL answers every filtered find with a sequential scan (its `@>` filters cannot use the
btree indexes it makes), so looking up a role's holders per event cost ~10 ms a query at 31,500
users. Every write stamps a fresh random *version* after its facts; a reader reads the version
first and reloads when it changed, so a snapshot never misses a write that finished before the
question was asked, in this process or another.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
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
from cqrs_kit.grants import Grant
from cqrs_kit.mongo import Collection, Index, Mongo

USERS = "users"
MEMBERSHIPS = "memberships"
VERSION = "people_version"
"""One document whose random ``version`` changes after every write to the two collections."""
INDEXES = [Index(MEMBERSHIPS, ["organisation"]), Index(MEMBERSHIPS, ["user_id"])]

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


class Person(BaseModel):
    """One user as the Message Centre needs them."""

    user_id: str
    email: str = ""
    name: str = ""
    disabled: bool = False
    task_emails: bool = True
    message_emails: bool = True
    daily_digest: bool = False


class Membership(BaseModel):
    """A user's roles at one organisation, with the clusters it is limited to."""

    user_id: str
    organisation: str
    roles: list[str] = Field(default_factory=list)
    payment_types: dict[str, list[str]] = Field(default_factory=dict)
    cluster_ids: list[str] = Field(default_factory=list)
    revoked: bool = False

    def grant(self, role: str) -> Grant:
        """The grant one of these roles gives (as K2's tokens carry it)."""
        return Grant(
            organisation=self.organisation,
            role=role,
            payment_types=tuple(self.payment_types.get(role, [])),
            cluster_ids=tuple(self.cluster_ids),
        )


@dataclass(frozen=True)
class PeopleSnapshot:
    """Every user and live membership, as of one version of the read model."""

    version: str | None
    users: dict[str, Person]
    at_organisation: dict[str, list[Membership]]

    def person(self, user_id: str) -> Person | None:
        """One user, if any identity event named them."""
        return self.users.get(user_id)

    def holding(self, roles: tuple[str, ...], organisations: list[str]) -> list[Membership]:
        """Memberships (not revoked) holding one of the roles at one of the organisations."""
        wanted = set(roles)
        return [
            m
            for organisation in organisations
            for m in self.at_organisation.get(organisation, [])
            if wanted & set(m.roles)
        ]


class People:
    """The users and memberships collections: facts written newest-wins, read through a snapshot."""

    def __init__(self, mongo: Mongo) -> None:
        self.users: Collection = mongo.collection(USERS)
        self.memberships: Collection = mongo.collection(MEMBERSHIPS)
        self.versions: Collection = mongo.collection(VERSION)
        self._cached: PeopleSnapshot | None = None
        self._lock = asyncio.Lock()

    async def apply(self, event: Event, envelope: Envelope) -> None:
        """Fold one identity event into the read model, then mark the model changed."""
        facts = _facts(event)
        at = envelope.time
        for collection, key, fact, fields in facts:
            await _newer(self.users if collection == USERS else self.memberships, key, fact, at, fields)
        if facts:
            self._cached = None
            await self._new_version()

    async def _new_version(self) -> None:
        version = {"$set": {"version": uuid.uuid4().hex}}
        try:
            await self.versions.update_one({"_id": VERSION}, version, upsert=True)
        except DuplicateKeyError:  # another process created it at the same moment: set ours after
            await self.versions.update_one({"_id": VERSION}, version)

    async def snapshot(self) -> PeopleSnapshot:
        """The read model as of now: one small read when nothing changed, a full load when it did."""
        doc = await self.versions.find_one({"_id": VERSION})  # before loading: see the module doc
        version = doc["version"] if doc else None
        cached = self._cached
        if cached is not None and cached.version == version:
            return cached
        async with self._lock:
            cached = self._cached
            if cached is not None and cached.version == version:
                return cached
            users = {d["_id"]: _person(d) async for d in self.users.find({})}
            at_organisation: dict[str, list[Membership]] = defaultdict(list)
            async for d in self.memberships.find({}):
                membership = Membership.model_validate(d)
                if not membership.revoked:
                    at_organisation[membership.organisation].append(membership)
            self._cached = PeopleSnapshot(version, users, dict(at_organisation))
            return self._cached

    async def person(self, user_id: str) -> Person | None:
        """One user, if any identity event named them."""
        return (await self.snapshot()).person(user_id)


def _person(doc: dict[str, Any]) -> Person:
    return Person.model_validate({**doc, "user_id": doc["_id"]})


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
