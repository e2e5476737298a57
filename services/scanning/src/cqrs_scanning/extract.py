"""Text of each text-bearing type, as (location, text) pieces read from the spooled file.

Files reach here only when they are within the size limit, so a library needing the whole file
(pypdf, python-docx, openpyxl) reads at most that much; plain text is decoded incrementally.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import IO

import docx
import openpyxl  # type: ignore[import-untyped]
import pypdf
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml

from cqrs_scanning.domain.file_types import TEXT

Pieces = Iterator[tuple[str, str]]
_READ = 1024 * 1024
_WORD_PARTS = {
    "document.main+xml": "paragraph {n}",
    "header+xml": "a header",
    "footer+xml": "a footer",
    "footnotes+xml": "a footnote",
    "endnotes+xml": "an endnote",
    "comments+xml": "a comment",
}
_PROPERTIES = "the document properties"


class PasswordProtected(Exception):
    """The file is encrypted and no empty password opens it."""


def text_pieces(real: str, spool: IO[bytes], encoding: str | None = None) -> Pieces:
    """Every piece of text a provider could have put in a file of this real type."""
    spool.seek(0)
    if real == TEXT:
        return _text(spool, encoding or "utf-8")
    if real == "pdf":
        return _pdf(spool)
    if real == "docx":
        return _docx(spool)
    if real == "xlsx":
        return _xlsx(spool)
    return iter(())


def _text(spool: IO[bytes], encoding: str) -> Pieces:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    number, pending = 0, ""
    while True:
        block = spool.read(_READ)
        pending += decoder.decode(block, final=not block)
        lines = pending.split("\n")
        pending = lines.pop()
        for line in lines:
            number += 1
            yield f"line {number}", line
        if not block:
            break
    if pending:
        yield f"line {number + 1}", pending


def _pdf(spool: IO[bytes]) -> Pieces:
    reader = pypdf.PdfReader(spool)
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except (pypdf.errors.PdfReadError, pypdf.errors.DependencyError, NotImplementedError):
            opened = pypdf.PasswordType.NOT_DECRYPTED
        if opened == pypdf.PasswordType.NOT_DECRYPTED:
            raise PasswordProtected
    if reader.metadata:
        yield _PROPERTIES, " \n".join(str(v) for v in reader.metadata.values())
    for number, page in enumerate(reader.pages, 1):
        yield f"page {number}", page.extract_text()


def _docx(spool: IO[bytes]) -> Pieces:
    document = docx.Document(spool)
    props = document.core_properties
    yield (
        _PROPERTIES,
        " \n".join(
            filter(
                None,
                [props.title, props.subject, props.keywords, props.comments, props.author, props.category],
            )
        ),
    )
    for part in document.part.package.iter_parts():
        where = next((w for suffix, w in _WORD_PARTS.items() if part.content_type.endswith(suffix)), None)
        if where is None:
            continue
        for number, paragraph in enumerate(parse_xml(part.blob).iter(qn("w:p")), 1):
            yield where.format(n=number), "".join(t.text or "" for t in paragraph.iter(qn("w:t")))


def _xlsx(spool: IO[bytes]) -> Pieces:
    book = openpyxl.load_workbook(spool, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            yield f"sheet {sheet.title!r}", str(sheet.title)
            for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
                cells = "\t".join(str(v) for v in row if v is not None)
                if cells:
                    yield f"sheet {sheet.title!r} row {number}", cells
    finally:
        book.close()
