"""The archive policy: what a zip (or an Office file, itself a zip) may hold before we refuse it.

- Only ``.zip`` archives are opened, and only where the evidence requirement accepts ``zip``;
  every file inside must be a type the requirement accepts and passes the same checks.
- An archive inside an archive is refused (by name or by content).
- Decompression bombs are refused without unpacking: more than ``max_entries`` entries, more
  than ``max_unpacked_bytes`` in total, or an entry over ``ratio_floor_bytes`` that expands more
  than ``max_ratio`` times its stored size. Python's zipfile never inflates past an entry's
  declared size, so declared sizes bound the real work.
- Password-protected entries cannot be checked and are refused.
- Office files are also refused when they carry macros or embedded files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cqrs_scanning.domain import reasons

_MIB = 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """What a zip's central directory says about one member, read without unpacking it."""

    name: str
    stored_bytes: int
    unpacked_bytes: int
    encrypted: bool = False
    is_dir: bool = False


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on what one archive may expand to."""

    max_entries: int = 1000
    max_unpacked_bytes: int = 100 * _MIB
    max_ratio: int = 200
    ratio_floor_bytes: int = _MIB


def is_junk(entry: Entry) -> bool:
    """Folders and operating-system litter (macOS resource forks) that are not evidence."""
    base = entry.name.rstrip("/").rsplit("/", 1)[-1]
    return entry.is_dir or entry.name.startswith("__MACOSX/") or base in {".DS_Store", "Thumbs.db"}


def bomb_reasons(entries: Sequence[Entry], limits: ArchiveLimits) -> list[str]:
    """Why this zip would expand too far to check safely (empty: it will not)."""
    if len(entries) > limits.max_entries:
        return [reasons.too_many_entries(len(entries), limits.max_entries)]
    total = sum(e.unpacked_bytes for e in entries)
    if total > limits.max_unpacked_bytes:
        return [reasons.unpacked_too_large(total, limits.max_unpacked_bytes)]
    for entry in entries:
        if entry.unpacked_bytes <= limits.ratio_floor_bytes:
            continue
        ratio = entry.unpacked_bytes // max(entry.stored_bytes, 1)
        if ratio > limits.max_ratio:
            return [reasons.decompression_bomb(entry.name, ratio, limits.max_ratio)]
    return []


def zip_reasons(entries: Sequence[Entry], limits: ArchiveLimits) -> list[str]:
    """Why this zip archive is refused before looking inside its files (empty: open it)."""
    found = bomb_reasons(entries, limits)
    if not found and any(e.encrypted for e in entries):
        found.append(reasons.password_protected("zip"))
    return found


def office_reasons(real: str, entries: Sequence[Entry], limits: ArchiveLimits) -> list[str]:
    """Why this Office file is refused before reading its text (empty: read it)."""
    found = bomb_reasons(entries, limits)
    names = [e.name.lower() for e in entries]
    if any(e.encrypted for e in entries):
        found.append(reasons.password_protected(real))
    if any(n.rsplit("/", 1)[-1].startswith("vbaproject") for n in names):
        found.append(reasons.macros(real))
    if any("/embeddings/" in n for n in names):
        found.append(reasons.embedded_files(real))
    return found
