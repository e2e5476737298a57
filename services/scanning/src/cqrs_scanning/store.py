"""Scan records in MongoDB, one per attachment (aggregate id = attachment id), each saved with
its FileScanned through the kit, so one attachment gets one record and one event however often its
upload event arrives (the only module of scanning that talks to MongoDB).

A record is only ever created, never changed: it is saved as version 1 of its aggregate, and a
repeat (another delivery, another replica) conflicts on that version's commit record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel

from cqrs_contracts.events import Event
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.errors import VersionConflict
from cqrs_kit.mongo import Index
from cqrs_kit.runtime import Runtime

SCANS = "scans"
INDEXES = [Index(SCANS, ["claim_id"]), Index(SCANS, ["verdict", "scanned_at"])]


class ScanRecord(BaseModel):
    """What was checked, what was found and where the object now is."""

    attachment_id: str
    claim_id: str
    provider_organisation_id: str
    file_name: str
    declared_media_type: str
    size_bytes: int
    real_type: str | None
    verdict: Literal["clean", "infected", "rejected"]
    reasons: list[str]
    signature: str | None
    engine_version: str
    signature_version: str
    scanned_at: dt.datetime
    object_bucket: str
    object_key: str
    upload_event_id: str
    scan_ms: float
    version: int = 0


class ScanStore:
    """Scan records, created once per attachment."""

    def __init__(self, runtime: Runtime) -> None:
        self._scans = Aggregates(runtime, SCANS, ScanRecord, "attachment_id")

    async def get(self, attachment_id: str) -> ScanRecord | None:
        """The record of one attachment, if it was scanned."""
        return await self._scans.get(attachment_id)

    async def peek(self, attachment_id: str) -> ScanRecord | None:
        """The record, if its snapshot is written (one lookup; a miss may still be a record whose
        snapshot lags, which the save's conflict then finds)."""
        return await self._scans.peek(attachment_id)

    async def forget_snapshot(self, attachment_id: str) -> None:
        """Tests: as if the service died between saving a record and writing its snapshot."""
        await self._scans.collection.delete_one({"_id": attachment_id})

    async def add(
        self, record: ScanRecord, events: Sequence[Event], *, correlation_id: str, cause: str
    ) -> bool:
        """Save a new record with its events; False when the attachment already has one."""
        try:
            await self._scans.save(record, events, correlation_id=correlation_id, actor=None, cause=cause)
        except VersionConflict:
            return False
        return True
