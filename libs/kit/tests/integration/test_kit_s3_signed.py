"""The small signed S3 client against the real SeaweedFS: what it reads and the tags it writes are
what aiobotocore sees, names that need encoding are signed right, and a wrong key is refused."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator

import pytest

from cqrs_kit.s3 import S3
from cqrs_kit.s3_signed import S3Error, SignedS3, Signer, tagging_xml


@pytest.fixture
async def store(infra: dict[str, str]) -> AsyncIterator[tuple[S3, str]]:
    """The stack's S3 and a fresh bucket, emptied and removed afterwards."""
    s3 = S3(infra["CQRS_S3_ENDPOINT"], infra["CQRS_S3_ACCESS_KEY"], infra["CQRS_S3_SECRET_KEY"])
    bucket = f"test-signed-{uuid.uuid4().hex[:12]}"
    await s3.ensure_buckets([bucket])
    try:
        yield s3, bucket
    finally:
        async with s3.client() as client:
            for item in (await client.list_objects_v2(Bucket=bucket)).get("Contents", []):
                await client.delete_object(Bucket=bucket, Key=item["Key"])
            await client.delete_bucket(Bucket=bucket)


@pytest.fixture
async def signed(store: tuple[S3, str]) -> AsyncIterator[SignedS3]:
    client = store[0].signed()
    await client.start()
    try:
        yield client
    finally:
        await client.stop()


KEYS = ["plain.pdf", "folder/with space/£ and é+plus=(1).pdf", "a~b_c-d.e/!$&'*,;:@.txt"]


@pytest.mark.parametrize("key", KEYS)
async def test_an_object_is_read_back_byte_for_byte(
    store: tuple[S3, str], signed: SignedS3, key: str
) -> None:
    s3, bucket = store
    data = uuid.uuid4().bytes * 20_000
    async with s3.client() as client:
        await client.put_object(Bucket=bucket, Key=key, Body=data)
    async with signed.get(bucket, key) as body:
        assert await body.read() == data


@pytest.mark.parametrize("key", KEYS)
async def test_tags_written_are_the_tags_s3_reports(
    store: tuple[S3, str], signed: SignedS3, key: str
) -> None:
    s3, bucket = store
    async with s3.client() as client:
        await client.put_object(Bucket=bucket, Key=key, Body=b"evidence")
    await signed.put_tagging(bucket, key, {"cqrs-scan-verdict": "clean", "note": "a+b = c:d/e@f_g"})
    async with s3.client() as client:
        tags = (await client.get_object_tagging(Bucket=bucket, Key=key))["TagSet"]
    assert {t["Key"]: t["Value"] for t in tags} == {"cqrs-scan-verdict": "clean", "note": "a+b = c:d/e@f_g"}


async def test_a_missing_object_is_no_such_key(store: tuple[S3, str], signed: SignedS3) -> None:
    with pytest.raises(S3Error) as caught:
        async with signed.get(store[1], "not-there.pdf"):
            pass
    assert caught.value.code == "NoSuchKey"
    assert caught.value.status == 404


async def test_a_wrong_secret_is_refused(infra: dict[str, str], store: tuple[S3, str]) -> None:
    s3, bucket = store
    async with s3.client() as client:
        await client.put_object(Bucket=bucket, Key="k", Body=b"x")
    wrong = SignedS3(infra["CQRS_S3_ENDPOINT"], infra["CQRS_S3_ACCESS_KEY"], "not-the-secret")
    await wrong.start()
    try:
        with pytest.raises(S3Error) as caught:
            async with wrong.get(bucket, "k"):
                pass
    finally:
        await wrong.stop()
    assert caught.value.status == 403


def test_the_signature_matches_aws_documented_example() -> None:
    """AWS's SigV4 example for S3 (GET /test.txt with a Range header, 2013-05-24), from the S3
    API reference's "Signature Calculations for the Authorization Header" page."""
    signer = Signer("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1")
    headers = signer.headers(
        "GET",
        "examplebucket.s3.amazonaws.com",
        "/test.txt",
        "",
        payload_hash="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        extra={"Range": "bytes=0-9"},
        now=dt.datetime(2013, 5, 24, tzinfo=dt.UTC),
    )
    assert headers["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


def test_tag_values_are_escaped_in_the_xml() -> None:
    assert b"<Value>a &lt;b&gt; &amp; c</Value>" in tagging_xml({"k": "a <b> & c"})
