"""The only module of achievement that talks to MongoDB: published services, payment settings and
extractions. Every write is idempotent (an insert keyed by the event's own id, or a replace that
an older or repeated event cannot win)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from cqrs_claims.achievement.domain.rules import PaymentSettings
from cqrs_contracts.events import AchievementExtracted, QualityServicePublished
from cqrs_kit.aggregates import storable
from cqrs_kit.mongo import Index, Mongo

SERVICES = "achievement_services"
SETTINGS = "achievement_payment_settings"
EXTRACTIONS = "achievement_extractions"
INDEXES = [
    Index(EXTRACTIONS, ["quality_service_id", "practice_ods_code", "achievement_date"]),
    Index(EXTRACTIONS, ["quality_service_id", "achievement_date"]),
]


class AchievementStore:
    """Published Quality Services (national ones), their payment settings, and extractions."""

    def __init__(self, mongo: Mongo) -> None:
        self._services = mongo.collection(SERVICES)
        self._settings = mongo.collection(SETTINGS)
        self._extractions = mongo.collection(EXTRACTIONS)

    async def keep_service(self, event: QualityServicePublished) -> bool:
        """Keep the newest published version of a service; False when this one is not newer."""
        doc = {"version_number": event.service_version, "event": event.model_dump_json()}
        stored = await self._services.find_one({"_id": event.quality_service_id})
        if stored is not None and stored["version_number"] >= event.service_version:
            return False
        if stored is None:
            try:
                await self._services.insert_one({"_id": event.quality_service_id, **doc})
            except DuplicateKeyError:
                return False
            return True
        await self._services.replace_one(
            {"_id": event.quality_service_id, "version_number": {"$lt": event.service_version}}, doc
        )
        return True

    async def service(self, quality_service_id: str) -> QualityServicePublished | None:
        """The newest published version of a service, if it was published."""
        doc = await self._services.find_one({"_id": quality_service_id})
        return None if doc is None else QualityServicePublished.model_validate_json(doc["event"])

    async def save_settings(self, quality_service_id: str, settings: PaymentSettings) -> None:
        """Replace a service's payment settings."""
        doc = storable(settings.model_dump(mode="json"))
        await self._settings.replace_one({"_id": quality_service_id}, doc, upsert=True)

    async def settings(self, quality_service_id: str) -> PaymentSettings | None:
        """A service's payment settings, if set."""
        doc = await self._settings.find_one({"_id": quality_service_id}, {"_id": 0})
        return None if doc is None else PaymentSettings.model_validate(doc)

    async def add_extraction(self, event: AchievementExtracted) -> bool:
        """Keep an extraction; False when it was kept before (a repeated event)."""
        doc: dict[str, Any] = {
            "_id": event.extraction_id,
            "quality_service_id": event.quality_service_id,
            "practice_ods_code": event.practice_ods_code,
            "achievement_date": event.achievement_date.isoformat(),
            "extracted_at": event.extracted_at,
            "event": event.model_dump_json(),
        }
        try:
            await self._extractions.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def extraction(self, extraction_id: str) -> AchievementExtracted | None:
        """One kept extraction."""
        doc = await self._extractions.find_one({"_id": extraction_id})
        return None if doc is None else AchievementExtracted.model_validate_json(doc["event"])

    async def latest(
        self, quality_service_id: str, practice: str, on_or_before: dt.date | None = None
    ) -> AchievementExtracted | None:
        """The practice's newest extraction for the service (by achievement date, then time sent)."""
        query: dict[str, Any] = {"quality_service_id": quality_service_id, "practice_ods_code": practice}
        if on_or_before is not None:
            query["achievement_date"] = {"$lte": on_or_before.isoformat()}
        cursor = (
            self._extractions.find(query)
            .sort([("achievement_date", DESCENDING), ("extracted_at", DESCENDING), ("_id", DESCENDING)])
            .limit(1)
        )
        async for doc in cursor:
            return AchievementExtracted.model_validate_json(doc["event"])
        return None

    async def practices(self, quality_service_id: str) -> set[str]:
        """Every practice with an extraction for the service."""
        values = await self._extractions.distinct(
            "practice_ods_code", {"quality_service_id": quality_service_id}
        )
        return {str(v) for v in values}

    async def services_of(self, practice: str) -> set[str]:
        """Every service the practice has an extraction for."""
        values = await self._extractions.distinct("quality_service_id", {"practice_ods_code": practice})
        return {str(v) for v in values}

    async def achievement_dates(self, quality_service_id: str) -> list[dt.date]:
        """The achievement dates extracted for a service, newest first."""
        values = await self._extractions.distinct(
            "achievement_date", {"quality_service_id": quality_service_id}
        )
        return sorted((dt.date.fromisoformat(str(v)) for v in values), reverse=True)
