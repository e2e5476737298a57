"""The Directory: every service's read model of identity's organisation tree, dated PCN relationships
and Service Provider Clusters, and the one place services ask "may this user do this here?".

Fed by the kit's consumer from identity's events on ``cqrs.identity.organisation``
(OrganisationAdded/Changed, PcnRelationshipStarted/Ended, ClusterCreated/Changed), stored in the
service's own database, and rebuildable from the topic (``rebuild``). Writes are idempotent and
order-tolerant: an organisation or cluster document keeps the stamp of the newest event applied
and an older or repeated event changes nothing; a PCN relationship's start and end are separate
fields, so Started and Ended may arrive in either order. Readers use an in-process snapshot that
lives ``directory_cache_seconds`` (and is dropped at once when this process applies an event).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from pymongo.errors import DuplicateKeyError

from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events.base import Event
from cqrs_contracts.events.identity import (
    ClusterChanged,
    ClusterCreated,
    OrganisationAdded,
    OrganisationChanged,
    PcnRelationshipEnded,
    PcnRelationshipStarted,
)
from cqrs_kit.auth import Principal
from cqrs_kit.errors import Forbidden
from cqrs_kit.grants import OrganisationInfo, OrganisationSnapshot, PcnLink, Roles
from cqrs_kit.mongo import Index, Mongo

E = TypeVar("E", bound=Event)
After = Callable[[E, Envelope], Awaitable[None]]

ORGANISATIONS = "directory_organisations"
CLUSTERS = "directory_clusters"
PCN_LINKS = "directory_pcn_links"
INDEXES = [Index(PCN_LINKS, ["practice"]), Index(PCN_LINKS, ["pcn"])]
"""What the Directory's collections need beyond their `_id`."""

EVENTS: tuple[type[Event], ...] = (
    OrganisationAdded,
    OrganisationChanged,
    PcnRelationshipStarted,
    PcnRelationshipEnded,
    ClusterCreated,
    ClusterChanged,
)
"""The identity events the Directory is built from."""


def _stamp(at: dt.datetime, rank: int, event_id: str) -> str:
    """A string that sorts like the events of one aggregate happened (fixed-width UTC time first)."""
    return f"{at.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}|{rank}|{event_id}"


class Directory:
    """Organisations, clusters and PCN relationships as this service knows them, and ``may``."""

    def __init__(self, mongo: Mongo, *, cache_seconds: float = 5.0) -> None:
        self._orgs = mongo.collection(ORGANISATIONS)
        self._clusters = mongo.collection(CLUSTERS)
        self._links = mongo.collection(PCN_LINKS)
        self._cache_seconds = cache_seconds
        self._cached: tuple[float, OrganisationSnapshot] | None = None
        self._lock = asyncio.Lock()
        self._then: dict[type[Event], list[After[Any]]] = {}

    # --- feeding --------------------------------------------------------------------------------

    def subscribe(self, consumer: Any) -> None:
        """Register the Directory's handlers with a service's kit consumer (the app factory does)."""
        for event_type in EVENTS:
            consumer.on(event_type)(self._handle)

    async def _handle(self, event: Event, envelope: Envelope) -> None:
        await self.apply(event, event_id=envelope.id)
        for handler in self._then.get(type(event), []):
            await handler(event, envelope)

    def then(self, event_type: type[E]) -> Callable[[After[E]], After[E]]:
        """Register a service's own handler of one of the Directory's events, run after the
        Directory applied it (the kit's consumer keeps one handler per event type, so a service
        must not register these with ``runtime.consumer.on``). Make it idempotent like any handler.
        """

        def register(handler: After[E]) -> After[E]:
            self._then.setdefault(event_type, []).append(handler)
            return handler

        return register

    def check_still_subscribed(self, consumer: Any) -> None:
        """Fail at start-up when a service replaced one of the Directory's handlers."""
        registered = getattr(consumer, "_handlers", None)
        if not isinstance(registered, dict):
            return
        for event_type in EVENTS:
            handler = registered.get(event_type.topic, {}).get(event_type.ce_type())
            if handler is not None and handler != self._handle:
                msg = (
                    f"a handler of {event_type.__name__} replaced the Directory's; register it with "
                    "runtime.directory.then(...) instead of runtime.consumer.on(...)"
                )
                raise RuntimeError(msg)

    async def apply(self, event: Event, *, event_id: str = "") -> None:
        """Apply one identity event; a repeat or an event older than what is stored changes nothing."""
        if isinstance(event, OrganisationAdded | OrganisationChanged):
            added = isinstance(event, OrganisationAdded)
            at = event.added_at if isinstance(event, OrganisationAdded) else event.changed_at
            fields: dict[str, Any] = {
                "name": event.organisation_name,
                "kind": event.kind,
                "parent": event.parent_ods_code,
            }
            await self._newer(self._orgs, event.ods_code, _stamp(at, 0 if added else 1, event_id), fields)
        elif isinstance(event, ClusterCreated | ClusterChanged):
            created = isinstance(event, ClusterCreated)
            at = event.created_at if isinstance(event, ClusterCreated) else event.changed_at
            fields = {
                "owner": event.organisation_ods_code,
                "short_name": event.short_name,
                "name": event.cluster_name,
                "organisations": list(event.organisations),
            }
            await self._newer(
                self._clusters, event.cluster_id, _stamp(at, 0 if created else 1, event_id), fields
            )
        elif isinstance(event, PcnRelationshipStarted):
            started = {
                "practice": event.practice_ods_code,
                "pcn": event.pcn_ods_code,
                "start": event.start_date.isoformat(),
                "start_end": event.end_date.isoformat() if event.end_date else None,
            }
            await self._links.update_one({"_id": event.relationship_id}, {"$set": started}, upsert=True)
        elif isinstance(event, PcnRelationshipEnded):
            ended = {
                "practice": event.practice_ods_code,
                "pcn": event.pcn_ods_code,
                "ended_end": event.end_date.isoformat(),
            }
            await self._links.update_one({"_id": event.relationship_id}, {"$set": ended}, upsert=True)
        else:
            return
        self.forget()

    @staticmethod
    async def _newer(collection: Any, key: str, stamp: str, fields: dict[str, Any]) -> None:
        """Write the fields unless a newer (or the same) event is already stored."""
        try:
            await collection.update_one(
                {"_id": key, "stamp": {"$lt": stamp}}, {"$set": {**fields, "stamp": stamp}}, upsert=True
            )
        except DuplicateKeyError:
            return  # the stored document is newer or the same: a repeat or a late event

    async def rebuild(self, bootstrap: str, *, timeout: float = 30.0) -> int:
        """Drop the read model and refold it from the whole topic; returns the events applied."""
        from cqrs_kit.directory_rebuild import replay  # noqa: PLC0415 - only operators rebuild

        for collection in (self._orgs, self._clusters, self._links):
            await collection.delete_many({})
        self.forget()
        return await replay(self, bootstrap, timeout=timeout)

    # --- reading --------------------------------------------------------------------------------

    def forget(self) -> None:
        """Drop the cached snapshot so the next question reads the store."""
        self._cached = None

    async def snapshot(self) -> OrganisationSnapshot:
        """Everything the Directory knows, cached for a few seconds (one load at a time)."""
        cached = self._cached
        if cached is not None and time.monotonic() - cached[0] < self._cache_seconds:
            return cached[1]
        async with self._lock:
            cached = self._cached
            if cached is not None and time.monotonic() - cached[0] < self._cache_seconds:
                return cached[1]
            snapshot = await self._load()
            self._cached = (time.monotonic(), snapshot)
            return snapshot

    async def _load(self) -> OrganisationSnapshot:
        orgs = [
            OrganisationInfo(ods_code=d["_id"], name=d["name"], kind=d["kind"], parent=d.get("parent"))
            async for d in self._orgs.find({})
        ]
        clusters = {d["_id"]: d.get("organisations", []) async for d in self._clusters.find({})}
        return OrganisationSnapshot(orgs, clusters, _links([d async for d in self._links.find({})]))

    async def may(
        self, principal: Principal, role: Roles, organisation: str, *, payment_type: str | None = None
    ) -> bool:
        """Whether one of the caller's grants allows the role at the organisation (see cqrs_kit.grants)."""
        return (await self.snapshot()).may(principal.grants, role, organisation, payment_type=payment_type)

    async def require(
        self,
        principal: Principal,
        role: Roles,
        organisation: str,
        *,
        payment_type: str | None = None,
        field: str | None = None,
    ) -> None:
        """Raise Forbidden, saying which role is needed and why it does not apply, unless ``may``."""
        snapshot = await self.snapshot()
        refusal = snapshot.refusal(principal.grants, role, organisation, payment_type=payment_type)
        if refusal is not None:
            raise Forbidden(refusal, field=field)

    async def organisations_where(self, principal: Principal, role: Roles) -> set[str]:
        """Every organisation at which the caller may act in the role (for filtering lists)."""
        return (await self.snapshot()).organisations_where(principal.grants, role)

    async def organisation(self, ods_code: str) -> OrganisationInfo | None:
        """One organisation (ods_code, name, kind, parent), if identity has announced it."""
        return (await self.snapshot()).organisation(ods_code)

    async def descendants(self, ods_code: str) -> set[str]:
        """Every organisation below this one (not itself)."""
        return (await self.snapshot()).descendants(ods_code)

    async def pcn_practices(self, pcn: str, on: dt.date) -> set[str]:
        """The practices that belonged to the PCN on that day."""
        return (await self.snapshot()).pcn_practices(pcn, on)

    async def practice_pcn(self, practice: str, on: dt.date) -> str | None:
        """The PCN the practice belonged to on that day, if any."""
        return (await self.snapshot()).practice_pcn(practice, on)


def _links(documents: Iterable[dict[str, Any]]) -> list[PcnLink]:
    """PCN links from stored documents; an end seen before its start waits for the start."""
    links: list[PcnLink] = []
    for d in documents:
        if "start" not in d:
            continue
        end = d.get("ended_end") or d.get("start_end")
        links.append(
            PcnLink(
                relationship_id=d["_id"],
                practice=d["practice"],
                pcn=d["pcn"],
                start=dt.date.fromisoformat(d["start"]),
                end=dt.date.fromisoformat(end) if end else None,
            )
        )
    return links
