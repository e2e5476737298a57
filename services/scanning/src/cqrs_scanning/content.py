"""The content checks of one spooled file: real type, archive policy and patient data.

Runs in a worker thread (the libraries are synchronous); anything a library cannot read is
reported as damaged, never passed.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

from cqrs_scanning.domain import archives, reasons
from cqrs_scanning.domain.archives import ArchiveLimits
from cqrs_scanning.domain.file_types import (
    ARCHIVES,
    TEXT_BEARING,
    accepted_types,
    extension_of,
    type_reasons,
)
from cqrs_scanning.domain.nhs_numbers import find_pid, nhs_numbers_in
from cqrs_scanning.extract import PasswordProtected, text_pieces
from cqrs_scanning.sniff import Sniffed, sniff

_OFFICE = frozenset({"docx", "xlsx", "pptx"})


@dataclass(frozen=True)
class ContentLimits:
    """How much one file may make us read, unpack and hold in memory."""

    archive: ArchiveLimits = field(default_factory=ArchiveLimits)
    spool_memory_bytes: int = 1024 * 1024


@dataclass(frozen=True)
class ContentReport:
    """The real type found and every reason the content is unacceptable."""

    real_type: str | None
    reasons: list[str]


def check_content(
    spool: IO[bytes], file_name: str, accepted: Sequence[str], limits: ContentLimits
) -> ContentReport:
    """Check a whole spooled file against its name and its evidence requirement."""
    found = _name_reasons(file_name)
    sniffed = sniff(spool, extension_of(file_name))
    found += type_reasons(sniffed.real, file_name, accepted)
    found += _inside_reasons(sniffed, spool, accepted, limits, nested=False)
    return ContentReport(sniffed.real, list(dict.fromkeys(found)))


def _name_reasons(file_name: str) -> list[str]:
    return [reasons.pid_in_name()] if nhs_numbers_in(file_name) else []


def _inside_reasons(  # noqa: PLR0911 - one return per rule, in order
    sniffed: Sniffed,
    spool: IO[bytes],
    accepted: Sequence[str],
    limits: ContentLimits,
    *,
    nested: bool,
) -> list[str]:
    real = sniffed.real
    if real is None:
        return []
    if sniffed.damaged:
        return [reasons.damaged(real)]
    if sniffed.encrypted:
        return [reasons.password_protected(real)]
    if real in _OFFICE:
        refused = archives.office_reasons(real, sniffed.entries, limits.archive)
        if refused:
            return refused
    if real == "zip" and not nested and "zip" in accepted_types(accepted):
        return _zip_reasons(sniffed, spool, accepted, limits)
    if real in TEXT_BEARING:
        return _pid_reasons(real, spool, sniffed.encoding)
    return []


def _pid_reasons(real: str, spool: IO[bytes], encoding: str | None) -> list[str]:
    try:
        pid = find_pid(text_pieces(real, spool, encoding))
    except PasswordProtected:
        return [reasons.password_protected(real)]
    except Exception:  # whatever a library chokes on, the file cannot be checked: refuse it
        return [reasons.damaged(real)]
    return [reasons.pid(pid.count, pid.first_location)] if pid else []


def _zip_reasons(
    sniffed: Sniffed, spool: IO[bytes], accepted: Sequence[str], limits: ContentLimits
) -> list[str]:
    refused = archives.zip_reasons(sniffed.entries, limits.archive)
    if refused:
        return refused
    inner = sorted(accepted_types(accepted) - {"zip"})
    found: list[str] = []
    spool.seek(0)
    try:
        with zipfile.ZipFile(spool) as archive:
            for entry in sniffed.entries:
                if not archives.is_junk(entry):
                    found += _entry_reasons(archive, entry.name, inner, limits)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return [reasons.damaged("zip")]
    return found


def _entry_reasons(
    archive: zipfile.ZipFile, name: str, accepted: Sequence[str], limits: ContentLimits
) -> list[str]:
    if extension_of(name) in ARCHIVES:
        return [reasons.nested_archive(name)]
    with tempfile.SpooledTemporaryFile(max_size=limits.spool_memory_bytes) as inner:
        with archive.open(name) as member:
            shutil.copyfileobj(member, inner, 1024 * 1024)
        sniffed = sniff(inner, extension_of(name))
        if sniffed.real in ARCHIVES:
            return [reasons.nested_archive(name)]
        found = _name_reasons(name) + type_reasons(sniffed.real, name, accepted)
        found += _inside_reasons(sniffed, inner, accepted, limits, nested=True)
        return [reasons.in_archive(name, r) for r in found]
