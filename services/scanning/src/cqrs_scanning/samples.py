"""Sample evidence files for scanning's tests and benchmark, made at run time, never committed:
the EICAR test string is assembled from two halves so no file in the repository trips a scanner.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Sequence
from typing import Any

import docx
import openpyxl  # type: ignore[import-untyped]

#: A valid NHS number from the synthetic range (999…) kept for testing, and the same digits with a
#: check digit that fails Modulus 11.
VALID_NHS_NUMBER = "999 765 4323"
INVALID_NHS_NUMBER = "999 765 4324"
_PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def eicar() -> bytes:
    """The EICAR anti-malware test string, assembled at run time."""
    return b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(lines: Sequence[str], *, size: int = 0) -> bytes:
    """A one-page PDF showing ``lines``, padded with an image-like stream up to ``size`` bytes."""
    text = " ".join(f"({_escape(line)}) Tj T*" for line in lines)
    content = f"BT /F1 11 Tf 14 TL 72 740 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    padding = max(size - 600 - len(content), 0)
    if padding:
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (padding, os.urandom(padding)))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def docx_file(paragraphs: Sequence[str]) -> bytes:
    """A Word document with these paragraphs."""
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_file(rows: Sequence[Sequence[Any]]) -> bytes:
    """A one-sheet workbook with these rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_file(rows: Sequence[Sequence[str]]) -> bytes:
    """A CSV file as spreadsheets export it."""
    return "".join(",".join(row) + "\r\n" for row in rows).encode()


def png() -> bytes:
    """A one-pixel PNG image."""
    return _PNG_1PX


def elf_program() -> bytes:
    """The start of a Linux executable (ELF header and some code-like bytes)."""
    return b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + os.urandom(2000)


def windows_program() -> bytes:
    """The start of a Windows executable (DOS stub pointing at a PE header)."""
    stub = bytearray(b"MZ" + bytes(62))
    stub[0x3C:0x40] = (64).to_bytes(4, "little")
    return bytes(stub) + b"PE\x00\x00" + os.urandom(2000)


def zip_file(members: dict[str, bytes]) -> bytes:
    """A zip archive holding these members."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb(unpacked: int = 50 * 1024 * 1024) -> bytes:
    """A small zip whose single member inflates to ``unpacked`` bytes of zeros."""
    out = io.BytesIO()
    block = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("report.txt", "w") as member,
    ):
        for _ in range(unpacked // len(block)):
            member.write(block)
    return out.getvalue()
