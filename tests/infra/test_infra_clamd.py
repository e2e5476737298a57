"""clamd over TCP from asyncio: INSTREAM verdicts for clean and infected bytes, and VERSION."""

from __future__ import annotations

import asyncio
import struct

import pytest

#: The EICAR anti-malware test string, split so this file is not itself detected as EICAR.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR" + b"-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture
def clamd(infra: dict[str, str]) -> tuple[str, int]:
    """clamd's host and port."""
    host, port = infra["CQRS_CLAMD_ADDRESS"].rsplit(":", 1)
    return host, int(port)


async def _ask(address: tuple[str, int], command: bytes, chunks: list[bytes] | None = None) -> str:
    """Send one null-terminated command (and INSTREAM chunks) and return clamd's reply."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(*address), 5)
    try:
        writer.write(command)
        for chunk in chunks or []:
            writer.write(struct.pack(">I", len(chunk)) + chunk)
        if chunks is not None:
            writer.write(struct.pack(">I", 0))
        await writer.drain()
        reply = await asyncio.wait_for(reader.readuntil(b"\0"), 30)
    finally:
        writer.close()
        await writer.wait_closed()
    return reply.rstrip(b"\0").decode()


def _chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


async def test_version_names_clamav(clamd: tuple[str, int]) -> None:
    """The server on the other end is really clamd."""
    assert (await _ask(clamd, b"zVERSION\0")).startswith("ClamAV ")


async def test_clean_stream_is_ok(clamd: tuple[str, int]) -> None:
    """A harmless upload, sent in several chunks, is passed."""
    document = b"%PDF-1.4\n" + b"claim evidence, nothing to see here\n" * 20_000
    assert await _ask(clamd, b"zINSTREAM\0", _chunked(document, 64 * 1024)) == "stream: OK"


async def test_eicar_stream_is_found(clamd: tuple[str, int]) -> None:
    """The EICAR test string is reported as found, even when split across many small chunks."""
    reply = await _ask(clamd, b"zINSTREAM\0", _chunked(EICAR, 7))
    assert reply.startswith("stream: ")
    assert reply.endswith(" FOUND")
    # Locally the project's own signature answers "Eicar-Test-Signature"; clamd with the official
    # database (compose) names it e.g. "Win.Test.EICAR_HDB-1": both name EICAR.
    assert "eicar" in reply.lower()
