"""Scanning an uploaded attachment: stream it once to clamd (and a bounded spool), check its
content, tag or quarantine the object, then save the scan record with its FileScanned."""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
import time
from contextlib import aclosing
from dataclasses import dataclass
from typing import IO

from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events import AttachmentUploaded, FileScanned
from cqrs_kit.errors import DomainError
from cqrs_kit.logs import get_logger
from cqrs_scanning.clamd import MalwareScanner, StreamTooLong
from cqrs_scanning.content import check_content
from cqrs_scanning.domain.verdict import MalwareResult, Outcome, decide, size_reasons
from cqrs_scanning.objects import Location, ObjectMissing, Objects
from cqrs_scanning.settings import ScanningSettings
from cqrs_scanning.store import ScanRecord, ScanStore

log = get_logger(__name__)


class AttachmentMissing(DomainError):
    """The uploaded object does not exist: the event can never be processed (dead-lettered)."""


class NotAnUploadBucket(DomainError):
    """The event names a bucket scanning does not take evidence from (dead-lettered untouched)."""


@dataclass
class Scanning:
    """What a scan needs, wired once by the app."""

    settings: ScanningSettings
    store: ScanStore
    scanner: MalwareScanner
    objects: Objects


@dataclass(frozen=True)
class Streamed:
    """What streaming the object told us: its real size and clamd's verdict, if it got one."""

    size: int
    malware: MalwareResult | None


async def scan_attachment(scanning: Scanning, event: AttachmentUploaded, envelope: Envelope) -> ScanRecord:
    """Scan one attachment once; a repeated upload event returns the existing record."""
    if event.bucket not in scanning.settings.scan_upload_buckets:
        msg = f"{event.bucket!r} is not an upload bucket (CQRS_SCAN_UPLOAD_BUCKETS); object untouched"
        raise NotAnUploadBucket(msg)
    existing = await scanning.store.peek(
        event.attachment_id
    )  # a lagging snapshot: the save's conflict finds it
    if existing is not None:
        log.info("attachment already scanned", attachment_id=event.attachment_id)
        return existing
    started = time.perf_counter()
    version = await scanning.scanner.version()
    upload = Location(event.bucket, event.object_key)
    try:
        outcome, streamed, real_type, location = await _check_where_it_is(scanning, event, upload)
        location = await _apply(scanning.objects, outcome, location, upload, event.attachment_id)
    except ObjectMissing as exc:
        msg = f"s3://{upload.bucket}/{upload.key} does not exist (nor a quarantined copy): {exc}"
        raise AttachmentMissing(msg) from exc
    scanned = FileScanned(
        attachment_id=event.attachment_id,
        claim_id=event.claim_id,
        verdict=outcome.verdict,
        reasons=outcome.reasons,
        signature=outcome.signature,
        engine_version=version.engine,
        signature_version=version.signatures,
        scanned_at=dt.datetime.now(dt.UTC),
    )
    record = ScanRecord(
        attachment_id=event.attachment_id,
        claim_id=event.claim_id,
        provider_organisation_id=event.provider_organisation_id,
        file_name=event.file_name,
        declared_media_type=event.media_type,
        size_bytes=streamed.size,
        real_type=real_type,
        verdict=outcome.verdict,
        reasons=outcome.reasons,
        signature=outcome.signature,
        engine_version=version.engine,
        signature_version=version.signatures,
        scanned_at=scanned.scanned_at,
        object_bucket=location.bucket,
        object_key=location.key,
        upload_event_id=envelope.id,
        scan_ms=round((time.perf_counter() - started) * 1000, 1),
    )
    if not await scanning.store.add(
        record, [scanned], correlation_id=envelope.correlation_id, cause=envelope.id
    ):
        log.info("attachment scanned by an earlier delivery", attachment_id=event.attachment_id)
        return await scanning.store.get(event.attachment_id) or record
    log.info(
        "attachment scanned",
        attachment_id=event.attachment_id,
        verdict=outcome.verdict,
        size=streamed.size,
        real_type=real_type,
        scan_ms=record.scan_ms,
    )
    return record


async def _check_where_it_is(
    scanning: Scanning, event: AttachmentUploaded, upload: Location
) -> tuple[Outcome, Streamed, str | None, Location]:
    """Check the uploaded object, or the quarantined copy an earlier attempt left before it
    crashed without saving its record."""
    try:
        return (*await _check(scanning, event, upload), upload)
    except ObjectMissing:
        quarantined = scanning.objects.quarantined(event.attachment_id)
        return (*await _check(scanning, event, quarantined), quarantined)


async def _check(
    scanning: Scanning, event: AttachmentUploaded, location: Location
) -> tuple[Outcome, Streamed, str | None]:
    settings = scanning.settings
    with tempfile.SpooledTemporaryFile(max_size=settings.scan_spool_memory_bytes) as spool:
        streamed = await _stream(scanning, location, spool)
        found = size_reasons(streamed.size, settings.scan_max_file_bytes)
        real_type = None
        if not found:
            report = await asyncio.to_thread(
                check_content, spool, event.file_name, event.accepted_file_types, settings.content_limits()
            )
            found, real_type = report.reasons, report.real_type
    return decide(streamed.malware, found), streamed, real_type


async def _stream(scanning: Scanning, location: Location, spool: IO[bytes]) -> Streamed:
    """Each chunk goes to clamd and to the spool; stop reading once the size limit is passed."""
    limit, size = scanning.settings.scan_max_file_bytes, 0
    chunks = scanning.objects.chunks(location, scanning.settings.scan_chunk_bytes)
    async with aclosing(chunks), scanning.scanner.instream() as stream:
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    return Streamed(size, None)
                await stream.send(chunk)
                spool.write(chunk)
            return Streamed(size, await stream.verdict())
        except StreamTooLong:
            return Streamed(max(size, limit + 1), None)


async def _apply(
    objects: Objects, outcome: Outcome, location: Location, upload: Location, attachment_id: str
) -> Location:
    """Tag a clean object where it was uploaded; move anything else into quarantine."""
    if outcome.verdict == "clean":
        if location != upload:
            await objects.release(upload, attachment_id)
        await objects.mark_clean(upload, attachment_id)
        return upload
    await objects.quarantine(location, attachment_id, outcome.verdict)
    return objects.quarantined(attachment_id)
