"""Scan records in MongoDB, one per attachment (``_id`` = attachment id), each saved with its
FileScanned in its own outbox, so one attachment gets one record and one event however often its
upload event arrives (the only module of scanning that talks to MongoDB).

A record is only ever created, never changed: it is saved as version 1 of its aggregate, and a
repeat hits the unique ``_id`` (the kit's version guard for new aggregates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel

from cqrs_kit.errors import VersionConflict
from cqrs_kit.mongo import Collection, Document, Index
from cqrs_kit.outbox import save_aggregate

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


class ScanStore:
    """Scan records, created once per attachment."""

    def __init__(self, collection: Collection) -> None:
        self._scans = collection

    async def get(self, attachment_id: str) -> ScanRecord | None:
        """The record of one attachment, if it was scanned."""
        doc = await self._scans.find_one({"_id": attachment_id}, {"outbox": 0})
        return None if doc is None else ScanRecord.model_validate({**doc, "attachment_id": doc["_id"]})

    async def add(self, record: ScanRecord, entries: Sequence[Document]) -> bool:
        """Save a new record with its events; False when the attachment already has one."""
        try:
            await save_aggregate(
                self._scans, record.attachment_id, 0, record.model_dump(exclude={"attachment_id"}), entries
            )
        except VersionConflict:
            return False
        return True
