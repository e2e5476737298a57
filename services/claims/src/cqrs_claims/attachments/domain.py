"""An evidence attachment: which files a component accepts, and how the scanner's verdict and a
provider's delete change it."""

from __future__ import annotations

import datetime as dt
import posixpath
from enum import StrEnum

from pydantic import BaseModel, Field

from cqrs_contracts.events import (
    AttachmentDeleted,
    AttachmentStatusChanged,
    AttachmentUploaded,
    Event,
    FileScanned,
)


class AttachmentStatus(StrEnum):
    """Attachment statuses users see (Deleted ones are no longer listed)."""

    PENDING = "Pending System Review"
    CLEAN = "Clean"
    INFECTED = "Infected"
    REJECTED = "Rejected"
    DELETED = "Deleted"


#: The types scanning can check, and the media types a browser may declare for each.
MEDIA_TYPES: dict[str, frozenset[str]] = {
    "pdf": frozenset({"application/pdf"}),
    "docx": frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    "xlsx": frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    "txt": frozenset({"text/plain"}),
    "csv": frozenset({"text/csv", "text/plain", "application/vnd.ms-excel"}),
    "jpg": frozenset({"image/jpeg"}),
    "jpeg": frozenset({"image/jpeg"}),
    "png": frozenset({"image/png"}),
    "tif": frozenset({"image/tiff"}),
    "tiff": frozenset({"image/tiff"}),
    "zip": frozenset({"application/zip", "application/x-zip-compressed"}),
}
#: Browsers send this when they do not know; the scanner then decides from the content.
UNKNOWN_MEDIA_TYPE = "application/octet-stream"


class UploadRefused(ValueError):
    """A file was refused before any of it was stored; ``field`` names the form part at fault."""

    def __init__(self, message: str, *, field: str = "file") -> None:
        super().__init__(message)
        self.field = field


def check_file(file_name: str, media_type: str, accepted: list[str]) -> str:
    """Return the file's type (its extension) if the component accepts it, else refuse saying why."""
    name = posixpath.basename(file_name.replace("\\", "/")).strip()
    if not name:
        raise UploadRefused("the file has no name")
    _, dot, ext = name.rpartition(".")
    ext = ext.lower() if dot else ""
    allowed = accepted or sorted(MEDIA_TYPES)
    if ext not in allowed or ext not in MEDIA_TYPES:
        shown = ", ".join(allowed)
        raise UploadRefused(f"{name} is not an accepted file type; accepted types: {shown}")
    declared = media_type.split(";", maxsplit=1)[0].strip().lower()
    if declared not in MEDIA_TYPES[ext] | {UNKNOWN_MEDIA_TYPE}:
        raise UploadRefused(f"{name} is declared as {declared or 'nothing'}, which is not a .{ext} file")
    return ext


class Attachment(BaseModel):
    """An attachment's state as saved."""

    attachment_id: str
    claim_id: str
    component_id: str | None = None
    provider_organisation_id: str
    file_name: str
    media_type: str
    size_bytes: int
    bucket: str
    object_key: str
    status: AttachmentStatus = AttachmentStatus.PENDING
    reasons: list[str] = Field(default_factory=list)
    uploaded_at: dt.datetime
    version: int = 0

    @property
    def downloadable(self) -> bool:
        """Only a file scanned clean is ever served."""
        return self.status is AttachmentStatus.CLEAN


_VERDICT_STATUS = {"clean": "Clean", "infected": "Infected", "rejected": "Rejected"}


def record_scan(state: Attachment, scanned: FileScanned, scan_event_id: str, now: dt.datetime) -> list[Event]:
    """The verdict of the first scan becomes the attachment's status; repeats and scans of deleted
    attachments change nothing."""
    if state.status is not AttachmentStatus.PENDING:
        return []
    return [
        AttachmentStatusChanged(
            attachment_id=state.attachment_id,
            claim_id=state.claim_id,
            status=_VERDICT_STATUS[scanned.verdict],  # type: ignore[arg-type]
            reasons=list(scanned.reasons),
            scan_event_id=scan_event_id,
            changed_at=now,
        )
    ]


def delete(state: Attachment, actor: str, now: dt.datetime) -> list[Event]:
    """Delete the attachment (the caller has checked the claim allows it)."""
    if state.status is AttachmentStatus.DELETED:
        return []
    return [
        AttachmentDeleted(
            attachment_id=state.attachment_id, claim_id=state.claim_id, deleted_by=actor, deleted_at=now
        )
    ]


def apply(state: Attachment | None, event: Event) -> Attachment:
    """Fold one event into the attachment."""
    if isinstance(event, AttachmentUploaded):
        return Attachment(**event.model_dump(exclude={"accepted_file_types"}))
    if state is None:
        msg = f"{type(event).__name__} before AttachmentUploaded"
        raise ValueError(msg)
    if isinstance(event, AttachmentStatusChanged):
        return state.model_copy(update={"status": AttachmentStatus(event.status), "reasons": event.reasons})
    if isinstance(event, AttachmentDeleted):
        return state.model_copy(update={"status": AttachmentStatus.DELETED})
    msg = f"an attachment does not take {type(event).__name__}"
    raise ValueError(msg)
