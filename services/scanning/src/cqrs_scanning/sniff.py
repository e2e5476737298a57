"""Telling a file's real type from its content (magic bytes, zip directory), never from its name."""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass, field
from typing import IO

import filetype  # type: ignore[import-untyped]

from cqrs_scanning.domain.archives import Entry
from cqrs_scanning.domain.file_types import PROGRAM, TEXT

HEAD_BYTES = 8192
_OLE = bytes.fromhex("d0cf11e0a1b11ae1")
#: Executable formats: Windows PE/DOS, ELF, Mach-O (32/64, both byte orders, fat), Android dex.
_PROGRAMS = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"dex\n",
)
#: An OOXML file encrypted with a password is an OLE file holding this stream (UTF-16 name).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_OOXML_MAIN = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
_ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
_ZIP_FAMILY = frozenset({"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"})
_OLE_FAMILY = frozenset({"doc", "xls", "ppt", "msg"})


@dataclass(frozen=True)
class Sniffed:
    """What the content says a file is."""

    real: str | None
    encoding: str | None = None
    entries: list[Entry] = field(default_factory=list)
    encrypted: bool = False
    damaged: bool = False


def text_encoding(head: bytes) -> str | None:
    """The encoding of text content, or None when the bytes are not text."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\0" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not merely a character cut at the end of the head
            return "cp1252" if _few_controls(head) else None
    return "utf-8"


def _few_controls(head: bytes) -> bool:
    return not any(b < 32 and b not in b"\t\r\n\f" for b in head)


def zip_entries(archive: zipfile.ZipFile) -> list[Entry]:
    """The central directory as policy facts, read without inflating anything."""
    return [
        Entry(
            name=i.filename,
            stored_bytes=i.compress_size,
            unpacked_bytes=i.file_size,
            encrypted=bool(i.flag_bits & 0x1),
            is_dir=i.is_dir(),
        )
        for i in archive.infolist()
    ]


def _zip_family(spool: IO[bytes], declared: str | None) -> Sniffed:
    spool.seek(0)
    try:
        with zipfile.ZipFile(spool) as archive:
            entries = zip_entries(archive)
            names = {e.name for e in entries}
            real = next((t for part, t in _OOXML_MAIN.items() if part in names), None)
            if real is None and "[Content_Types].xml" not in names and "mimetype" in names:
                with archive.open("mimetype") as mimetype:
                    real = _ODF.get(mimetype.read(100).decode(errors="replace"), "zip")
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        KeyError,
        ValueError,
        NotImplementedError,
    ):
        return Sniffed(declared if declared in _ZIP_FAMILY else "zip", damaged=True)
    return Sniffed(real or "zip", entries=entries)


def _has_encrypted_package(spool: IO[bytes], limit: int = 4 * 1024 * 1024) -> bool:
    spool.seek(0)
    return _ENCRYPTED_PACKAGE in spool.read(limit)


def sniff(spool: IO[bytes], declared: str | None) -> Sniffed:  # noqa: PLR0911 - one return per kind
    """The real type of the spooled file; ``declared`` (its extension) only names OLE variants."""
    spool.seek(0)
    head = spool.read(HEAD_BYTES)
    encoding = text_encoding(head)
    if head.startswith(_PROGRAMS) and encoding is None:
        return Sniffed(PROGRAM)
    guess = filetype.guess(head)
    kind: str | None = guess.extension if guess is not None else None
    if kind in {"exe", "elf", "wasm"}:
        return Sniffed(PROGRAM)
    if kind in _ZIP_FAMILY:
        return _zip_family(spool, declared)
    if kind in _OLE_FAMILY or head.startswith(_OLE):
        variant = declared if declared in _OLE_FAMILY else "doc"
        if _has_encrypted_package(spool):
            office = declared if declared in {"docx", "xlsx", "pptx"} else "docx"
            return Sniffed(office, encrypted=True)
        return Sniffed(variant)
    if kind is not None:
        return Sniffed(kind)
    return Sniffed(TEXT, encoding=encoding) if encoding else Sniffed(None)
