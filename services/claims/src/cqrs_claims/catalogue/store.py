"""The catalogue read model: published service versions and each provider's offers, stored from
participation's events only, so claims never calls participation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from cqrs_claims.catalogue.domain import ClaimableService, ServiceVersion
from cqrs_kit.aggregates import storable
from cqrs_kit.mongo import Index, Mongo

SERVICES = "catalogue_services"
OFFERS = "catalogue_offers"
INDEXES = [
    Index(SERVICES, ["quality_service_id", "service_version"]),
    Index(OFFERS, ["provider_organisation_id", "status"]),
    Index(OFFERS, ["quality_service_id", "status"]),
]

APPROVED = "Approved"


def stamp(at: dt.datetime, rank: int, event_id: str) -> str:
    """Sorts like one offer's events happened (UTC time, then the step's rank, then the id)."""
    return f"{at.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}|{rank}|{event_id}"


class CatalogueStore:
    """Writes and reads of the catalogue; every write is safe to repeat."""

    def __init__(self, mongo: Mongo) -> None:
        self._services = mongo.collection(SERVICES)
        self._offers = mongo.collection(OFFERS)

    async def record_version(self, version: ServiceVersion) -> bool:
        """Store a published version (immutable: a repeat hits the unique id and changes nothing)."""
        doc = storable(version.model_dump(mode="python"))
        try:
            await self._services.insert_one(
                {"_id": f"{version.quality_service_id}:{version.service_version}", **doc}
            )
        except DuplicateKeyError:
            return False
        return True

    async def record_offer(self, offer_id: str, when: str, fields: dict[str, Any]) -> None:
        """Write an offer's latest known state unless a newer (or the same) event already did."""
        try:
            await self._offers.update_one(
                {"_id": offer_id, "stamp": {"$lt": when}},
                {"$set": {**storable(fields), "stamp": when}},
                upsert=True,
            )
        except DuplicateKeyError:
            return  # a repeat or a late event: the stored state is newer

    async def offer(self, offer_id: str) -> dict[str, Any] | None:
        """One offer as stored (for tests and views)."""
        return await self._offers.find_one({"_id": offer_id})

    async def _version(self, service_id: str, version: int | None) -> ServiceVersion | None:
        query: dict[str, Any] = {"quality_service_id": service_id}
        if version is not None:
            query["service_version"] = version
        doc = await self._services.find_one(query, sort=[("service_version", DESCENDING)])
        return None if doc is None else ServiceVersion.model_validate(doc)

    async def claimable(self, providers: Iterable[str]) -> list[ClaimableService]:
        """The services the providers may claim for: Approved offers whose version is known."""
        found: list[ClaimableService] = []
        cursor = self._offers.find({"provider_organisation_id": {"$in": list(providers)}, "status": APPROVED})
        async for offer in cursor:
            service = await self._version(offer["quality_service_id"], offer.get("quality_service_version"))
            if service is not None:
                found.append(
                    ClaimableService(
                        offer_id=offer["_id"],
                        provider_organisation_id=offer["provider_organisation_id"],
                        service=service,
                    )
                )
        return found

    async def latest(self, service_id: str) -> ServiceVersion | None:
        """The service's latest published version, if any."""
        return await self._version(service_id, None)

    async def offered(self, service_id: str) -> list[ClaimableService]:
        """Every provider's approved offer of one service (bulk claims), with the version offered."""
        found: list[ClaimableService] = []
        async for offer in self._offers.find({"quality_service_id": service_id, "status": APPROVED}):
            service = await self._version(service_id, offer.get("quality_service_version"))
            if service is not None:
                found.append(
                    ClaimableService(
                        offer_id=offer["_id"],
                        provider_organisation_id=offer["provider_organisation_id"],
                        service=service,
                    )
                )
        return found

    async def versions(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], ServiceVersion]:
        """Service versions by (id, version), for showing lines already in a claim."""
        result: dict[tuple[str, int], ServiceVersion] = {}
        for key in set(keys):
            service = await self._version(*key)
            if service is not None:
                result[key] = service
        return result
