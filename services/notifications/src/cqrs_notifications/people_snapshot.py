"""The people read model as readers see it: an in-process snapshot of every user and membership,
kept up to date by reading only what changed.

Why: FerretDB v1 on PostgreSQL answers every filtered find with a sequential scan (its `@>`
filters cannot use the btree indexes it makes), so asking for a role's holders per event cost
~10 ms a query at 31,500 users, several queries an event.

How it stays exact: after writing its facts, every write logs the documents it changed in
``people_changes`` (an insert, stamped with the time) and then sets a fresh random ``version``.
A reader reads the version first; when it differs from its snapshot's, it reads the changes logged
since its last refresh (minus ``OVERLAP``, far longer than a write takes) and reloads the documents
of those it has not seen yet (a change seen was logged after its write, so reading the document
then holds the write). So a snapshot never misses a write that finished before the question was asked, in
this process or another. Changes older than ``KEEP`` are deleted; a reader that far behind
reloads everything.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
from pymongo.errors import DuplicateKeyError

from cqrs_kit import clock
from cqrs_kit.grants import Grant
from cqrs_kit.mongo import Collection, Mongo

USERS = "users"
MEMBERSHIPS = "memberships"
CHANGES = "people_changes"
VERSION = "people_version"
"""One document whose random ``version`` changes after every write to the people read model."""
OVERLAP = dt.timedelta(minutes=5)
KEEP = dt.timedelta(hours=1)
MANY = 40
"""Changed documents above which one scan reads them all rather than one lookup each."""
PRUNE_EVERY = 500
"""Writes between two deletions of old changes (by each process)."""


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


def person_of(doc: dict[str, Any]) -> Person:
    """A user from its stored document."""
    return Person.model_validate({**doc, "user_id": doc["_id"]})


@dataclass(frozen=True)
class PeopleSnapshot:
    """Every user and live (not revoked) membership, as of one version of the read model."""

    version: str | None
    loaded_at: dt.datetime
    users: dict[str, Person]
    at_organisation: dict[str, dict[str, Membership]]
    """Organisation -> membership id -> membership."""

    def person(self, user_id: str) -> Person | None:
        """One user, if any identity event named them."""
        return self.users.get(user_id)

    def holding(self, roles: tuple[str, ...], organisations: list[str]) -> list[Membership]:
        """Memberships (not revoked) holding one of the roles at one of the organisations."""
        wanted = set(roles)
        return [
            m
            for organisation in organisations
            for m in self.at_organisation.get(organisation, {}).values()
            if wanted & set(m.roles)
        ]


class SnapshotCache:
    """The change log, the version, and this process's snapshot."""

    def __init__(self, mongo: Mongo) -> None:
        self.users: Collection = mongo.collection(USERS)
        self.memberships: Collection = mongo.collection(MEMBERSHIPS)
        self.changes: Collection = mongo.collection(CHANGES)
        self.versions: Collection = mongo.collection(VERSION)
        self._cached: PeopleSnapshot | None = None
        self._lock = asyncio.Lock()
        self._writes = 0
        self._seen: dict[str, dt.datetime] = {}
        """Changes this snapshot holds already (id -> when logged), within the overlap."""

    async def changed(self, documents: list[tuple[str, str]]) -> None:
        """Call after writing facts: log the (collection, id) documents written, then a new version."""
        now = clock.now()
        await self.changes.insert_many(
            [{"_id": uuid.uuid4().hex, "collection": c, "key": k, "at": now} for c, k in documents]
        )
        version = {"$set": {"version": uuid.uuid4().hex}}
        try:
            await self.versions.update_one({"_id": VERSION}, version, upsert=True)
        except DuplicateKeyError:  # another process created it at the same moment: set ours after
            await self.versions.update_one({"_id": VERSION}, version)
        self._writes += 1
        if self._writes % PRUNE_EVERY == 0:
            await self.changes.delete_many({"at": {"$lt": now - KEEP}})

    async def snapshot(self) -> PeopleSnapshot:
        """The read model as of now: one small read when nothing changed since the last question."""
        started = clock.now()
        doc = await self.versions.find_one({"_id": VERSION})  # before reading anything else
        version = doc["version"] if doc else None
        cached = self._cached
        if cached is not None and cached.version == version:
            return cached
        async with self._lock:
            cached = self._cached
            if cached is not None and cached.version == version:
                return cached
            if cached is None or started - cached.loaded_at > KEEP - OVERLAP:
                fresh = await self._load(version, started)
            else:
                fresh = await self._refresh(cached, version, started)
            self._cached = fresh
            return fresh

    async def _logged_since(self, since: dt.datetime) -> dict[str, dict[str, Any]]:
        return {d["_id"]: d async for d in self.changes.find({"at": {"$gte": since}})}

    async def _load(self, version: str | None, started: dt.datetime) -> PeopleSnapshot:
        # Changes logged now were written already, so the load below holds them: mark them seen.
        self._seen = {k: d["at"] for k, d in (await self._logged_since(started - OVERLAP)).items()}
        users = {d["_id"]: person_of(d) async for d in self.users.find({})}
        at_organisation: dict[str, dict[str, Membership]] = {}
        async for d in self.memberships.find({}):
            membership = Membership.model_validate(d)
            if not membership.revoked:
                at_organisation.setdefault(membership.organisation, {})[d["_id"]] = membership
        return PeopleSnapshot(version, started, users, at_organisation)

    async def _refresh(
        self, cached: PeopleSnapshot, version: str | None, started: dt.datetime
    ) -> PeopleSnapshot:
        since = cached.loaded_at - OVERLAP
        logged = await self._logged_since(since)
        new = {k: d for k, d in logged.items() if k not in self._seen}
        self._seen = {k: at for k, at in self._seen.items() if at >= since} | {
            k: d["at"] for k, d in new.items()
        }
        users, at_organisation = dict(cached.users), dict(cached.at_organisation)
        user_keys = sorted({d["key"] for d in new.values() if d["collection"] == USERS})
        member_keys = sorted({d["key"] for d in new.values() if d["collection"] == MEMBERSHIPS})
        found_users = await _by_id(self.users, user_keys)
        for key in user_keys:
            doc = found_users.get(key)
            if doc is None:
                users.pop(key, None)
            else:
                users[key] = person_of(doc)
        found_members = await _by_id(self.memberships, member_keys)
        for key in member_keys:
            organisation = key.rsplit("|", 1)[-1]  # a membership's id is "<user>|<organisation>"
            members = {k: m for k, m in at_organisation.get(organisation, {}).items() if k != key}
            doc = found_members.get(key)
            membership = None if doc is None else Membership.model_validate(doc)
            if membership is not None and not membership.revoked:
                members[key] = membership
            at_organisation[organisation] = members
        return PeopleSnapshot(version, started, users, at_organisation)


async def _by_id(collection: Collection, keys: list[str]) -> dict[str, dict[str, Any]]:
    """Documents by id: one lookup each for a few (each is a scan on FerretDB v1), one scan for many."""
    if len(keys) > MANY:
        return {d["_id"]: d async for d in collection.find({"_id": {"$in": keys}})}
    found = [await collection.find_one({"_id": key}) for key in keys]
    return {d["_id"]: d for d in found if d is not None}
