"""Evidence files in S3: a multipart request streamed into the bucket scanning reads, never held
whole in memory, refused as soon as its type is wrong or its size passes the limit."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError
from python_multipart.multipart import MultipartParser, parse_options_header

from cqrs_claims.attachments.domain import UploadRefused
from cqrs_kit.s3 import S3

#: S3's smallest multipart part; files below it are one PUT.
PART_BYTES = 5 * 1024 * 1024
#: What a multipart envelope may add to the file itself (boundaries and part headers).
ENVELOPE_BYTES = 64 * 1024


class TooLarge(UploadRefused):
    """The file passed the size limit; whatever was sent so far is discarded."""


@dataclass
class Received:
    """What was stored: the file's name, declared type and size."""

    file_name: str
    media_type: str
    size_bytes: int


@dataclass
class _Writer:
    """Sends one object to S3 in parts as its bytes arrive."""

    client: Any
    bucket: str
    key: str
    buffer: bytearray = field(default_factory=bytearray)
    upload_id: str | None = None
    parts: list[dict[str, Any]] = field(default_factory=list)

    async def write(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) >= PART_BYTES:
            if self.upload_id is None:
                started = await self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key)
                self.upload_id = started["UploadId"]
            await self._part()

    async def _part(self) -> None:
        number = len(self.parts) + 1
        sent = await self.client.upload_part(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            PartNumber=number,
            Body=bytes(self.buffer),
        )
        self.parts.append({"ETag": sent["ETag"], "PartNumber": number})
        self.buffer.clear()

    async def close(self) -> None:
        if self.upload_id is None:
            await self.client.put_object(Bucket=self.bucket, Key=self.key, Body=bytes(self.buffer))
            return
        if self.buffer:
            await self._part()
        await self.client.complete_multipart_upload(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, MultipartUpload={"Parts": self.parts}
        )

    async def abort(self) -> None:
        if self.upload_id is not None:
            with contextlib.suppress(ClientError):
                await self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=self.key, UploadId=self.upload_id
                )


@dataclass
class _Form:
    """Parser state: the part being read, and the file part's fragments waiting to be written."""

    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    headers: dict[str, str] = field(default_factory=dict)
    in_file: bool = False
    file_name: str | None = None
    media_type: str = ""
    files: int = 0
    pending: list[bytes] = field(default_factory=list)
    started: bool = False


def _callbacks(form: _Form) -> dict[str, Callable[..., None]]:
    def on_part_begin() -> None:
        form.headers.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        form.header_field += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        form.header_value += data[start:end]

    def on_header_end() -> None:
        form.headers[form.header_field.decode("latin-1").lower()] = form.header_value.decode(
            "utf-8", "replace"
        )
        form.header_field.clear()
        form.header_value.clear()

    def on_headers_finished() -> None:
        _, options = parse_options_header(form.headers.get("content-disposition", ""))
        form.in_file = options.get(b"name") == b"file" and b"filename" in options
        if form.in_file:
            form.files += 1
            form.file_name = options[b"filename"].decode("utf-8", "replace")
            form.media_type = form.headers.get("content-type", "application/octet-stream")
            form.started = True

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if form.in_file:
            form.pending.append(data[start:end])

    def on_part_end() -> None:
        form.in_file = False

    return {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
    }


class Objects:
    """The evidence bucket."""

    def __init__(self, s3: S3, bucket: str, max_bytes: int) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.max_bytes = max_bytes

    def refuse_declared_size(self, content_length: str | None) -> None:
        """Refuse before reading anything when the request says it is too large."""
        if (
            content_length
            and content_length.isdigit()
            and int(content_length) > self.max_bytes + ENVELOPE_BYTES
        ):
            raise TooLarge(f"the file is larger than the {self._limit()} limit")

    def _limit(self) -> str:
        return f"{self.max_bytes / (1024 * 1024):g} MB"

    async def receive(
        self, content_type: str, body: AsyncIterator[bytes], key: str, check: Callable[[str, str], None]
    ) -> Received:
        """Stream the form's one ``file`` part to ``key``; ``check(name, type)`` runs before any byte
        is stored. Nothing is left in the bucket when the upload is refused or fails."""
        kind, options = parse_options_header(content_type)
        if kind != b"multipart/form-data" or b"boundary" not in options:
            raise UploadRefused("send the file as multipart/form-data in a part named file")
        form = _Form()
        parser = MultipartParser(options[b"boundary"], _callbacks(form))  # type: ignore[arg-type]
        size = 0
        async with self.s3.client() as client:
            writer = _Writer(client, self.bucket, key)
            try:
                async for chunk in body:
                    parser.write(chunk)
                    if form.files > 1:
                        raise UploadRefused("send one file at a time")
                    if form.started:
                        form.started = False
                        check(form.file_name or "", form.media_type)
                    for fragment in form.pending:
                        size += len(fragment)
                        if size > self.max_bytes:
                            raise TooLarge(f"the file is larger than the {self._limit()} limit")
                        await writer.write(fragment)
                    form.pending.clear()
                parser.finalize()
                if form.file_name is None:
                    raise UploadRefused("the form has no part named file with a file in it")
                if size == 0:
                    raise UploadRefused("the file is empty")
                await writer.close()
            except BaseException:
                await writer.abort()
                raise
        return Received(form.file_name, form.media_type, size)

    async def delete(self, key: str) -> None:
        """Remove an object (a deleted attachment's file); gone already is fine."""
        async with self.s3.client() as client:
            with contextlib.suppress(ClientError):
                await client.delete_object(Bucket=self.bucket, Key=key)

    async def stream(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes in chunks (only ever called for clean files)."""
        async with self.s3.client() as client:
            answer = await client.get_object(Bucket=self.bucket, Key=key)
            body = answer["Body"]
            try:
                while chunk := await body.read(64 * 1024):
                    yield chunk
            finally:
                body.close()
