"""Running scanning against the real stack for tests and benchmarks: upload files, announce them
as the claims service does, and watch the FileScanned verdicts come back."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from botocore.exceptions import ClientError

from cqrs_contracts.envelope import from_kafka_headers
from cqrs_contracts.events import AttachmentUploaded, FileScanned
from cqrs_contracts.registry import deserialize
from cqrs_contracts.topics import CLAIMS_ATTACHMENT, SCANNING_SCAN
from cqrs_kit.app import runtime_of
from cqrs_kit.broker import ensure_topics, make_broker, publish_entry
from cqrs_kit.mongo import Mongo
from cqrs_kit.outbox import outbox_entries
from cqrs_kit.s3 import S3
from cqrs_kit.testing import isolated_settings, running_app, unique
from cqrs_kit.testing import skip_history as kit_skip_history
from cqrs_scanning.app import create_app
from cqrs_scanning.settings import ScanningSettings
from cqrs_scanning.store import ScanRecord, ScanStore

DEFAULT_ACCEPTED = ("pdf", "docx", "xlsx", "csv", "txt")
Publish = Callable[[Mapping[str, Any]], Awaitable[None]]


def upload_event(
    bucket: str,
    key: str,
    file_name: str,
    size: int,
    accepted: Sequence[str] = DEFAULT_ACCEPTED,
    *,
    attachment_id: str | None = None,
    media_type: str = "application/octet-stream",
) -> AttachmentUploaded:
    """The AttachmentUploaded the claims service would publish for this object."""
    return AttachmentUploaded(
        attachment_id=attachment_id or str(uuid.uuid4()),
        claim_id=str(uuid.uuid4()),
        provider_organisation_id="A81001",
        bucket=bucket,
        object_key=key,
        file_name=file_name,
        media_type=media_type,
        size_bytes=size,
        accepted_file_types=list(accepted),
        uploaded_at=dt.datetime.now(dt.UTC),
    )


async def put_object(s3: S3, bucket: str, key: str, data: bytes) -> None:
    """Store an uploaded file as the claims service would."""
    async with s3.client() as client:
        await client.put_object(Bucket=bucket, Key=key, Body=data)


def outbox_entry(event: AttachmentUploaded) -> dict[str, Any]:
    """The event as the claims service's relay would publish it (same headers, key and body)."""
    return outbox_entries([event], source="/cqrs/claims")[0]


async def _partitions(bootstrap: str, topic: str) -> list[TopicPartition]:
    await ensure_topics(bootstrap, [topic], partitions=3)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return [TopicPartition(topic, p["partition"]) for p in described["partitions"]]


async def skip_history(bootstrap: str, group: str, topic: str) -> None:
    """Start a new consumer group at the end of the topic (see cqrs_kit.testing.skip_history)."""
    del bootstrap  # the kit reads the launcher's endpoints itself
    await kit_skip_history(group, topic)


@dataclass
class Seen:
    """One FileScanned as it arrived."""

    event: FileScanned
    event_id: str
    at: float


@dataclass
class ScanWatcher:
    """Collects FileScanned events published from now on, by attachment id."""

    bootstrap: str
    seen: dict[str, list[Seen]] = field(default_factory=dict)
    _consumer: AIOKafkaConsumer | None = None
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start at the current end of the scan topic."""
        parts = await _partitions(self.bootstrap, SCANNING_SCAN)
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False)
        await consumer.start()
        consumer.assign(parts)
        await consumer.seek_to_end(*parts)
        for part in parts:
            await consumer.position(part)
        self._consumer = consumer
        self._task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        assert self._consumer is not None
        async for record in self._consumer:
            envelope = from_kafka_headers(record.headers)
            event = deserialize(envelope.type, record.value or b"")
            if isinstance(event, FileScanned):
                self.seen.setdefault(event.attachment_id, []).append(
                    Seen(event, envelope.id, time.monotonic())
                )

    async def wait_for(self, attachment_ids: Sequence[str], timeout: float = 30.0) -> dict[str, FileScanned]:
        """The FileScanned of each attachment, waiting for the last to arrive."""
        deadline = time.monotonic() + timeout
        while not all(a in self.seen for a in attachment_ids):
            if time.monotonic() > deadline:
                missing = [a for a in attachment_ids if a not in self.seen]
                msg = f"no FileScanned within {timeout}s for {missing}"
                raise AssertionError(msg)
            await asyncio.sleep(0.02)
        return {a: self.seen[a][0].event for a in attachment_ids}

    async def stop(self) -> None:
        """Stop collecting."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()


@dataclass
class Harness:
    """One running scanning service and the test's side of it."""

    settings: ScanningSettings
    client: httpx.AsyncClient
    s3: S3
    bucket: str
    watcher: ScanWatcher
    store: ScanStore
    publish: Publish

    async def upload(
        self, file_name: str, data: bytes, accepted: Sequence[str] = DEFAULT_ACCEPTED
    ) -> AttachmentUploaded:
        """Store a file and announce it, as the claims service does."""
        key = f"A81001/{uuid.uuid4()}/{file_name}"
        await put_object(self.s3, self.bucket, key, data)
        event = upload_event(self.bucket, key, file_name, len(data), accepted)
        await self.publish(outbox_entry(event))
        return event

    async def verdicts(self, *events: AttachmentUploaded, timeout: float = 30.0) -> list[FileScanned]:
        """The FileScanned of each upload, in order."""
        ids = [e.attachment_id for e in events]
        found = await self.watcher.wait_for(ids, timeout)
        return [found[i] for i in ids]

    async def tags(self, bucket: str, key: str) -> dict[str, str] | None:
        """The object's tags, or None when the object is not there."""
        async with self.s3.client() as client:
            try:
                answer = await client.get_object_tagging(Bucket=bucket, Key=key)
            except ClientError as exc:
                if exc.response["Error"]["Code"] in {"NoSuchKey", "404"}:
                    return None
                raise
        return {t["Key"]: t["Value"] for t in answer["TagSet"]}

    async def record(self, attachment_id: str) -> ScanRecord | None:
        """The service's scan record of one attachment."""
        return await self.store.get(attachment_id)


async def remove_bucket(s3: S3, bucket: str) -> None:
    """Delete a bucket and everything in it (test clean-up)."""
    async with s3.client() as client:
        with contextlib.suppress(ClientError):
            while True:
                listed = await client.list_objects_v2(Bucket=bucket)
                items = listed.get("Contents", [])
                for item in items:
                    await client.delete_object(Bucket=bucket, Key=item["Key"])
                if not listed.get("IsTruncated"):
                    break
            await client.delete_bucket(Bucket=bucket)


@asynccontextmanager
async def scanning_service(**overrides: Any) -> AsyncIterator[Harness]:
    """Run scanning in-process against the real stack, with its own database, consumer group,
    upload and quarantine buckets; remove the buckets and the database afterwards."""
    base = isolated_settings("scanning").model_dump(exclude_unset=True)  # scanning's own defaults hold
    bucket = unique("test-uploads")
    values = {"scan_quarantine_bucket": unique("test-quarantine"), "scan_upload_buckets": [bucket]}
    settings = ScanningSettings(**{**base, **values, **overrides})
    s3 = S3(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key)
    await s3.ensure_buckets([bucket])
    await skip_history(settings.kafka_bootstrap, settings.group, CLAIMS_ATTACHMENT)
    broker = make_broker(settings.kafka_bootstrap, client_id="scanning-tests")
    await broker.start()
    watcher = ScanWatcher(settings.kafka_bootstrap)
    await watcher.start()
    mongo = Mongo(settings.mongo_url, settings.database_name)
    try:
        app = create_app(settings)
        async with running_app(app) as client:
            store = ScanStore(runtime_of(app))
            yield Harness(settings, client, s3, bucket, watcher, store, publish_entry(broker))
    finally:
        await watcher.stop()
        await broker.stop()
        for name in (bucket, settings.scan_quarantine_bucket):
            await remove_bucket(s3, name)
        with contextlib.suppress(Exception):
            await mongo.client.drop_database(settings.database_name)
        await mongo.close()
