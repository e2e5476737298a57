"""S3 access through aioboto3 against any S3 API (SeaweedFS locally, AWS S3 in production)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import aioboto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from cqrs_kit.s3_signed import SignedS3


class S3:
    """A configured session; each use opens a client for the duration of one unit of work."""

    def __init__(self, endpoint: str, access_key: str, secret_key: str, region: str = "us-east-1") -> None:
        self._session = aioboto3.Session()
        self._kwargs: dict[str, Any] = {
            "endpoint_url": endpoint,
            "aws_access_key_id": access_key,
            "aws_secret_access_key": secret_key,
            "region_name": region,
            "config": Config(
                signature_version="s3v4",
                retries={"max_attempts": 2},
                s3={"addressing_style": "path"},
                connect_timeout=3,
                read_timeout=30,
            ),
        }

    def signed(self) -> SignedS3:
        """A small signed client for hot paths (GetObject, PutObjectTagging) on the same store."""
        return SignedS3(
            self._kwargs["endpoint_url"],
            self._kwargs["aws_access_key_id"],
            self._kwargs["aws_secret_access_key"],
            self._kwargs["region_name"],
        )

    @asynccontextmanager
    async def client(self) -> AsyncIterator[Any]:
        """An S3 client (aiobotocore) usable within the block."""
        async with self._session.client("s3", **self._kwargs) as client:
            yield client

    async def ensure_buckets(self, names: Iterable[str]) -> None:
        """Create the service's buckets if they do not exist yet."""
        async with self.client() as client:
            existing = {b["Name"] for b in (await client.list_buckets()).get("Buckets", [])}
            for name in names:
                if name not in existing:
                    await client.create_bucket(Bucket=name)

    async def ping(self) -> str | None:
        """None when a signed ListBuckets is answered, otherwise the reason (for /readyz)."""
        try:
            async with self.client() as client:
                await client.list_buckets()
        except (BotoCoreError, ClientError, OSError) as exc:
            return f"object store unreachable: {exc.__class__.__name__}"
        return None
