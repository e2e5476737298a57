"""clamd over asyncio: PING, VERSION and INSTREAM (the only module that speaks clamd's protocol)."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from cqrs_kit.errors import TransientError
from cqrs_scanning.domain.verdict import MalwareResult

_END = struct.pack("!L", 0)
_REPLY_LIMIT = 64 * 1024


class ClamdUnavailable(TransientError):
    """clamd could not be reached or dropped the connection: scan again later."""


class ClamdFailed(TransientError):
    """clamd answered ERROR for a reason that is not the file's fault: scan again later."""


class StreamTooLong(Exception):
    """clamd refused the stream as longer than its StreamMaxLength."""


@dataclass(frozen=True)
class ScannerVersion:
    """Engine and signature versions, published with every verdict."""

    engine: str
    signatures: str


class Stream(Protocol):
    """One INSTREAM in progress."""

    async def send(self, chunk: bytes) -> None:
        """Send the next chunk of the file."""

    async def verdict(self) -> MalwareResult:
        """End the stream and read clamd's verdict."""


class MalwareScanner(Protocol):
    """The anti-malware port the service depends on."""

    async def ping(self) -> str | None:
        """None when the scanner answers, otherwise why not (for /readyz)."""

    async def version(self) -> ScannerVersion:
        """The engine and signature versions in use."""

    def instream(self) -> AbstractAsyncContextManager[Stream]:
        """Open a stream to scan one file."""


def parse_version(reply: str) -> ScannerVersion:
    """``ClamAV 1.4.6/27000/Tue Jan 7 09:00:00 2025`` → engine and signature versions."""
    engine, _, rest = reply.partition("/")
    number, _, dated = rest.partition("/")
    signatures = f"{number} ({dated})" if number and dated else number or "unversioned"
    return ScannerVersion(engine=engine.strip() or "unknown", signatures=signatures.strip())


def parse_verdict(reply: str) -> MalwareResult:
    """``stream: OK`` or ``stream: <signature> FOUND``; anything else is an error."""
    body = reply.strip().removeprefix("stream:").strip()
    if body == "OK":
        return MalwareResult()
    if body.endswith(" FOUND"):
        return MalwareResult(signature=body.removesuffix(" FOUND").strip() or "unnamed")
    if "size limit exceeded" in body.lower():
        raise StreamTooLong(body)
    msg = f"clamd answered {reply!r}"
    raise ClamdFailed(msg)


class _ClamdStream:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float) -> None:
        self._reader, self._writer, self._timeout = reader, writer, timeout

    async def send(self, chunk: bytes) -> None:
        if not chunk:
            return
        try:
            self._writer.write(struct.pack("!L", len(chunk)))
            self._writer.write(chunk)
            await asyncio.wait_for(self._writer.drain(), self._timeout)
        except (OSError, TimeoutError) as exc:
            await self._explain(exc)

    async def verdict(self) -> MalwareResult:
        try:
            self._writer.write(_END)
            await asyncio.wait_for(self._writer.drain(), self._timeout)
        except (OSError, TimeoutError) as exc:
            await self._explain(exc)
        return parse_verdict(await self._reply())

    async def _reply(self) -> str:
        try:
            raw = await asyncio.wait_for(self._reader.readuntil(b"\0"), self._timeout)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            msg = f"clamd gave no verdict: {exc!r}"
            raise ClamdUnavailable(msg) from exc
        return raw.rstrip(b"\0").decode(errors="replace")

    async def _explain(self, exc: BaseException) -> None:
        """clamd closes the socket when a stream is too long; read why before giving up."""
        with contextlib.suppress(ClamdUnavailable):
            parse_verdict(await self._reply())
        msg = f"clamd connection lost while streaming: {exc!r}"
        raise ClamdUnavailable(msg) from exc


class Clamd:
    """clamd at host:port; each scan is its own connection, so one slow scan blocks no other."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float = 60.0,
        connect_timeout: float = 3.0,
        version_ttl: float = 60.0,
    ) -> None:
        self._host, self._port = host, port
        self._timeout, self._connect_timeout = timeout, connect_timeout
        self._version_ttl = version_ttl
        self._version: tuple[float, ScannerVersion] | None = None

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            return await asyncio.wait_for(
                asyncio.open_connection(self._host, self._port, limit=_REPLY_LIMIT), self._connect_timeout
            )
        except (OSError, TimeoutError) as exc:
            msg = f"clamd unreachable at {self._host}:{self._port}: {exc!r}"
            raise ClamdUnavailable(msg) from exc

    @asynccontextmanager
    async def _session(self, command: bytes) -> AsyncIterator[_ClamdStream]:
        reader, writer = await self._connect()
        stream = _ClamdStream(reader, writer, self._timeout)
        try:
            try:
                writer.write(b"z" + command + b"\0")
                await asyncio.wait_for(writer.drain(), self._timeout)
            except (OSError, TimeoutError) as exc:
                msg = f"clamd dropped the connection: {exc!r}"
                raise ClamdUnavailable(msg) from exc
            yield stream
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _command(self, command: bytes) -> str:
        async with self._session(command) as stream:
            return await stream._reply()

    async def ping(self) -> str | None:
        """None when clamd answers PONG."""
        try:
            answer = await self._command(b"PING")
        except ClamdUnavailable as exc:
            return str(exc)
        return None if answer == "PONG" else f"clamd answered PING with {answer!r}"

    async def version(self) -> ScannerVersion:
        """Engine and signature versions, asked again at most once a minute."""
        now = time.monotonic()
        if self._version is None or now - self._version[0] > self._version_ttl:
            self._version = (now, parse_version(await self._command(b"VERSION")))
        return self._version[1]

    def instream(self) -> AbstractAsyncContextManager[Stream]:
        """Open an INSTREAM session; send chunks, then ask for the verdict."""
        return self._session(b"INSTREAM")
