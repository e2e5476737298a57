"""Scanning settings: the kit's service settings plus the limits and buckets of the checks."""

from __future__ import annotations

from pydantic import Field, model_validator

from cqrs_kit.settings import ServiceSettings
from cqrs_scanning.content import ContentLimits
from cqrs_scanning.domain.archives import ArchiveLimits

_MIB = 1024 * 1024


class ScanningSettings(ServiceSettings):
    """Read from CQRS_SCAN_* variables; the defaults are the documented policy."""

    service_name: str = "scanning"
    scan_quarantine_bucket: str = Field(default="cqrs-quarantine", min_length=3, max_length=63)
    #: The only buckets objects are taken from: an event naming any other is dead-lettered, so no
    #: event can make scanning read, tag or move objects that are not uploaded evidence.
    scan_upload_buckets: list[str] = Field(default_factory=lambda: ["cqrs-attachments"])
    scan_max_file_bytes: int = Field(default=20 * _MIB, gt=0)
    scan_chunk_bytes: int = Field(default=_MIB, ge=4096, le=16 * _MIB)
    scan_spool_memory_bytes: int = Field(default=_MIB, ge=0)
    scan_max_archive_entries: int = Field(default=1000, gt=0)
    scan_max_unpacked_bytes: int = Field(default=100 * _MIB, gt=0)
    scan_max_compression_ratio: int = Field(default=200, gt=1)
    scan_clamd_timeout_seconds: float = Field(default=60.0, gt=0)
    #: Scans in flight at once (the kit's default is 16). A scan mostly waits (S3, clamd, the
    #: database), so more in flight keep the CPU busy: with batches topped up as scans finish, a
    #: burst of 300 files of 50 KB ran at 148-171/s with 32 and 155-176/s with 64 (2 cores).
    consumer_concurrency: int = Field(default=64, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> ScanningSettings:
        if self.scan_chunk_bytes > self.scan_max_file_bytes:
            msg = "CQRS_SCAN_CHUNK_BYTES must not exceed CQRS_SCAN_MAX_FILE_BYTES"
            raise ValueError(msg)
        if self.scan_quarantine_bucket in self.scan_upload_buckets:
            msg = "the quarantine bucket cannot also be an upload bucket"
            raise ValueError(msg)
        return self

    def content_limits(self) -> ContentLimits:
        """The limits the content checks work within."""
        return ContentLimits(
            archive=ArchiveLimits(
                max_entries=self.scan_max_archive_entries,
                max_unpacked_bytes=self.scan_max_unpacked_bytes,
                max_ratio=self.scan_max_compression_ratio,
            ),
            spool_memory_bytes=self.scan_spool_memory_bytes,
        )
