"""S3 API (SeaweedFS locally): the object round trip attachments rely on, and signatures are checked."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator

import pytest
from botocore.exceptions import ClientError

from cqrs_kit.s3 import S3


@pytest.fixture
def s3(infra: dict[str, str]) -> S3:
    """The services' own S3 adapter, pointed at the real server with the right credentials."""
    return S3(infra["CQRS_S3_ENDPOINT"], infra["CQRS_S3_ACCESS_KEY"], infra["CQRS_S3_SECRET_KEY"])


@pytest.fixture
async def bucket(s3: S3) -> AsyncIterator[str]:
    """A bucket no other test uses; emptied and deleted afterwards."""
    name = f"test-infra-{uuid.uuid4().hex[:20]}"
    async with s3.client() as client:
        await client.create_bucket(Bucket=name)
    yield name
    async with s3.client() as client:
        listed = await client.list_objects_v2(Bucket=name)
        for item in listed.get("Contents", []):
            await client.delete_object(Bucket=name, Key=item["Key"])
        await client.delete_bucket(Bucket=name)


async def test_object_round_trip_put_get_head_delete(s3: S3, bucket: str) -> None:
    """Bytes come back unchanged, head reports size and type, and a deleted object is gone."""
    body = bytes(range(256)) * 4096 + b"tail"  # 1 MiB and a bit, every byte value
    key = "claims/claim-1/attachments/evidence.pdf"
    async with s3.client() as client:
        put = await client.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/pdf")
        got = await client.get_object(Bucket=bucket, Key=key)
        async with got["Body"] as stream:
            read = await stream.read()
        head = await client.head_object(Bucket=bucket, Key=key)
        listed = await client.list_objects_v2(Bucket=bucket, Prefix="claims/claim-1/")

        assert read == body
        assert head["ContentLength"] == len(body)
        assert head["ContentType"] == "application/pdf"
        md5 = hashlib.md5(body).hexdigest()  # noqa: S324 - a single PUT's ETag is its MD5
        assert head["ETag"].strip('"') == put["ETag"].strip('"') == md5
        assert [item["Key"] for item in listed.get("Contents", [])] == [key]

        await client.delete_object(Bucket=bucket, Key=key)
        with pytest.raises(ClientError) as missing:
            await client.get_object(Bucket=bucket, Key=key)
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"


async def test_request_signed_with_a_wrong_secret_is_refused(infra: dict[str, str]) -> None:
    """SigV4 is checked: the right access key with the wrong secret gets a 403, not the data."""
    forged = S3(infra["CQRS_S3_ENDPOINT"], infra["CQRS_S3_ACCESS_KEY"], "not-the-secret-key")
    with pytest.raises(ClientError) as refused:
        async with forged.client() as client:
            await client.list_buckets()
    error = refused.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Code"] == "SignatureDoesNotMatch"
    assert await forged.ping() is not None


async def test_request_with_an_unknown_access_key_is_refused(infra: dict[str, str]) -> None:
    """Credentials are checked at all: an access key the server does not know is refused."""
    stranger = S3(infra["CQRS_S3_ENDPOINT"], f"unknown-{uuid.uuid4().hex[:8]}", "whatever-secret")
    with pytest.raises(ClientError) as refused:
        async with stranger.client() as client:
            await client.list_buckets()
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert refused.value.response["Error"]["Code"] == "InvalidAccessKeyId"
