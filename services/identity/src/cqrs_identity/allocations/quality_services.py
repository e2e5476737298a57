"""The Quality Services identity knows, learnt from participation's ``QualityServicePublished``:
what an Allocated Report may name (id, financial year, payment type) and the select-all list.

One document per Quality Service holding its latest published version; a repeated or older
version changes nothing (the update is guarded by the version, so replays are harmless)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict
from pymongo.errors import DuplicateKeyError

from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events.identity import AllocatedService
from cqrs_contracts.events.participation import QualityServicePublished
from cqrs_identity.errors import RuleBroken
from cqrs_kit.logs import get_logger
from cqrs_kit.mongo import Index
from cqrs_kit.runtime import Runtime

log = get_logger(__name__)

QUALITY_SERVICES = "quality_services"
INDEXES = [Index(QUALITY_SERVICES, ["commissioner"])]


class QualityService(BaseModel):
    """A Quality Service as Allocated Reports needs it."""

    model_config = ConfigDict(extra="ignore")

    quality_service_id: str
    service_version: int
    service_name: str
    commissioner: str
    financial_year: str
    payment_type: str
    national: bool = False


def of_event(event: QualityServicePublished) -> QualityService:
    """The read-model line of a published version."""
    return QualityService(
        quality_service_id=event.quality_service_id,
        service_version=event.service_version,
        service_name=event.service_name,
        commissioner=event.commissioner_organisation_id,
        financial_year=event.financial_year,
        payment_type=event.payment_type,
        national=event.national,
    )


async def record(runtime: Runtime, service: QualityService) -> bool:
    """Keep this version unless a same or newer one is already known; True when it changed."""
    collection = runtime.mongo.collection(QUALITY_SERVICES)
    try:
        result = await collection.update_one(
            {"_id": service.quality_service_id, "service_version": {"$lt": service.service_version}},
            {"$set": service.model_dump()},
            upsert=True,
        )
    except DuplicateKeyError:
        return False  # a same or newer version is already known
    return bool(result.modified_count or result.upserted_id)


async def known(runtime: Runtime, ids: Iterable[str]) -> dict[str, QualityService]:
    """The known Quality Services among these ids."""
    wanted = sorted(set(ids))
    cursor = runtime.mongo.collection(QUALITY_SERVICES).find({"_id": {"$in": wanted}})
    return {d["_id"]: QualityService.model_validate(d) async for d in cursor}


async def of_commissioners(runtime: Runtime, commissioners: Iterable[str]) -> list[QualityService]:
    """The Quality Services these organisations commission, by financial year and name."""
    cursor = runtime.mongo.collection(QUALITY_SERVICES).find(
        {"commissioner": {"$in": sorted(set(commissioners))}}
    )
    found = [QualityService.model_validate(d) async for d in cursor]
    return sorted(found, key=lambda s: (s.financial_year, s.service_name, s.quality_service_id))


def check(
    services: Sequence[AllocatedService], found: dict[str, QualityService], commissioners: frozenset[str]
) -> None:
    """Refuse a Quality Service identity has not seen published, one commissioned by neither the
    organisation nor one above it, or one whose financial year or payment type differs."""
    for n, service in enumerate(services):
        where = f"services.{n}"
        known_service = found.get(service.quality_service_id)
        if known_service is None:
            raise RuleBroken(
                f"{service.quality_service_id} is not a published Quality Service",
                field=f"{where}.quality_service_id",
            )
        if known_service.commissioner not in commissioners:
            raise RuleBroken(
                f"{service.quality_service_id} is commissioned by {known_service.commissioner}, "
                "not by this organisation or one above it",
                field=f"{where}.quality_service_id",
            )
        if service.financial_year != known_service.financial_year:
            raise RuleBroken(
                f"{service.quality_service_id} is for {known_service.financial_year}, "
                f"not {service.financial_year}",
                field=f"{where}.financial_year",
            )
        if service.payment_type != known_service.payment_type:
            raise RuleBroken(
                f"{service.quality_service_id} has payment type {known_service.payment_type}, "
                f"not {service.payment_type}",
                field=f"{where}.payment_type",
            )


def subscribe(runtime: Runtime) -> None:
    """Learn every published Quality Service version."""

    @runtime.consumer.on(QualityServicePublished)
    async def published(event: QualityServicePublished, envelope: Envelope) -> None:
        """Record the version (idempotent)."""
        changed = await record(runtime, of_event(event))
        log.info("quality service learnt", quality_service_id=event.quality_service_id, changed=changed)
