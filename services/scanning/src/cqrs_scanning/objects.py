"""Evidence objects in S3: streamed once, then tagged clean or moved to the quarantine bucket.

The quarantine bucket belongs to scanning alone: no other service is given its name, and no API
of any service reads from it, so a quarantined file cannot be downloaded. An object is moved by
copying it there (keyed by attachment id) and only then deleting the original, so a crash leaves
it in one place or the other, never nowhere.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError as HttpClientError
from botocore.exceptions import BotoCoreError, ClientError

from cqrs_kit.errors import TransientError
from cqrs_kit.s3 import S3
from cqrs_kit.s3_signed import S3Error, SignedS3

_MISSING = frozenset({"NoSuchKey", "NoSuchBucket", "404", "NotFound"})
VERDICT_TAG = "cqrs-scan-verdict"


@dataclass(frozen=True)
class Location:
    """Where an object is."""

    bucket: str
    key: str


class ObjectMissing(Exception):
    """The object is in neither its upload location nor the quarantine bucket."""


class ObjectStoreUnavailable(TransientError):
    """S3 could not be reached or failed: try again later."""


def translate_s3_error(exc: BaseException, location: Location) -> Exception:
    """Missing objects are missing (never retried); every other S3 failure is worth retrying."""
    if isinstance(exc, S3Error) and exc.code in _MISSING:
        return ObjectMissing(f"s3://{location.bucket}/{location.key} does not exist")
    if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in _MISSING:
        return ObjectMissing(f"s3://{location.bucket}/{location.key} does not exist")
    return ObjectStoreUnavailable(f"object store failed on s3://{location.bucket}/{location.key}: {exc!r}")


_S3_ERRORS = (BotoCoreError, ClientError, S3Error, OSError, HttpClientError, asyncio.TimeoutError)


class Objects:
    """The S3 side of scanning: long-lived clients while the service runs. The two calls every
    scan makes (read the object, tag it clean) go through the small signed client; moving to and
    from quarantine through aiobotocore."""

    def __init__(self, s3: S3, quarantine_bucket: str) -> None:
        self._s3 = s3
        self._signed: SignedS3 = s3.signed()
        self.quarantine_bucket = quarantine_bucket
        self._stack: AsyncExitStack | None = None
        self._client: Any = None

    async def start(self) -> None:
        """Open the client (connections are pooled across scans)."""
        self._stack = AsyncExitStack()
        self._client = await self._stack.enter_async_context(self._s3.client())
        await self._signed.start()
        self._stack.push_async_callback(self._signed.stop)

    async def stop(self) -> None:
        """Close the client."""
        if self._stack is not None:
            await self._stack.aclose()
        self._stack, self._client = None, None

    @asynccontextmanager
    async def _use(self, location: Location) -> AsyncIterator[Any]:
        try:
            if self._client is not None:
                yield self._client
            else:
                async with self._s3.client() as client:
                    yield client
        except _S3_ERRORS as exc:
            raise translate_s3_error(exc, location) from exc

    @asynccontextmanager
    async def _signing(self, location: Location) -> AsyncIterator[SignedS3]:
        try:
            if self._client is not None:
                yield self._signed
            else:  # not started (a one-off use): a short-lived pool
                signed = self._s3.signed()
                await signed.start()
                try:
                    yield signed
                finally:
                    await signed.stop()
        except _S3_ERRORS as exc:
            raise translate_s3_error(exc, location) from exc

    def quarantined(self, attachment_id: str) -> Location:
        """Where an attachment's object goes when it is not clean."""
        return Location(self.quarantine_bucket, attachment_id)

    async def chunks(self, location: Location, chunk_bytes: int) -> AsyncGenerator[bytes, None]:
        """The object's bytes in chunks of ``chunk_bytes`` (the last may be shorter)."""
        async with self._signing(location) as signed, signed.get(location.bucket, location.key) as body:
            buffer = bytearray()
            while True:
                piece = await body.read(chunk_bytes - len(buffer))
                if piece:
                    buffer += piece
                if buffer and (len(buffer) >= chunk_bytes or not piece):
                    yield bytes(buffer)
                    buffer.clear()
                if not piece:
                    return

    async def mark_clean(self, location: Location, attachment_id: str) -> None:
        """Tag the object clean where it is (the uploading service keeps serving it)."""
        tags = {VERDICT_TAG: "clean", "cqrs-attachment": attachment_id}
        async with self._signing(location) as signed:
            await signed.put_tagging(location.bucket, location.key, tags)

    async def quarantine(self, location: Location, attachment_id: str, verdict: str) -> None:
        """Move the object into quarantine: copy first, then delete the original."""
        target = self.quarantined(attachment_id)
        if location == target:
            return
        async with self._use(location) as client:
            await client.copy_object(
                Bucket=target.bucket,
                Key=target.key,
                CopySource={"Bucket": location.bucket, "Key": location.key},
                Metadata={"original-bucket": location.bucket, "original-key": location.key},
                MetadataDirective="REPLACE",
                TaggingDirective="REPLACE",
                Tagging=f"{VERDICT_TAG}={verdict}&cqrs-attachment={attachment_id}",
            )
            await client.delete_object(Bucket=location.bucket, Key=location.key)

    async def release(self, upload: Location, attachment_id: str) -> None:
        """Put a quarantined object back where it was uploaded (a rescan found it clean)."""
        source = self.quarantined(attachment_id)
        async with self._use(source) as client:
            await client.copy_object(
                Bucket=upload.bucket, Key=upload.key, CopySource={"Bucket": source.bucket, "Key": source.key}
            )
            await client.delete_object(Bucket=source.bucket, Key=source.key)
