"""Settings refuse inconsistent limits; S3 failures are told apart: missing (never) or transient."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from cqrs_kit.errors import TransientError
from cqrs_scanning.objects import Location, ObjectMissing, ObjectStoreUnavailable, translate_s3_error
from cqrs_scanning.settings import ScanningSettings

HERE = Location("uploads", "a/b.pdf")


def _client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "GetObject")


@pytest.mark.parametrize("code", ["NoSuchKey", "NoSuchBucket", "404"])
def test_a_missing_object_is_missing(code: str) -> None:
    assert isinstance(translate_s3_error(_client_error(code), HERE), ObjectMissing)


@pytest.mark.parametrize(
    "error",
    [
        _client_error("SlowDown"),
        _client_error("InternalError"),
        _client_error("AccessDenied"),
        EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
        ConnectionResetError(),
    ],
)
def test_anything_else_is_retried_so_the_attachment_stays_pending(error: Exception) -> None:
    translated = translate_s3_error(error, HERE)
    assert isinstance(translated, ObjectStoreUnavailable)
    assert isinstance(translated, TransientError)


def test_the_defaults_are_the_documented_policy() -> None:
    settings = ScanningSettings()
    assert settings.scan_max_file_bytes == 20 * 1024 * 1024
    assert settings.scan_upload_buckets == ["cqrs-attachments"]
    limits = settings.content_limits().archive
    assert (limits.max_entries, limits.max_unpacked_bytes, limits.max_ratio) == (1000, 100 * 1024 * 1024, 200)


def test_quarantine_is_never_an_upload_bucket() -> None:
    with pytest.raises(ValueError, match="quarantine"):
        ScanningSettings(scan_quarantine_bucket="evidence", scan_upload_buckets=["evidence"])


def test_chunks_fit_within_the_size_limit() -> None:
    with pytest.raises(ValueError, match="CHUNK"):
        ScanningSettings(scan_max_file_bytes=10_000, scan_chunk_bytes=20_000)


def test_scans_in_flight_default_to_64_and_the_variable_still_sets_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CQRS_CONSUMER_CONCURRENCY", raising=False)
    assert ScanningSettings().consumer_concurrency == 64
    monkeypatch.setenv("CQRS_CONSUMER_CONCURRENCY", "8")
    assert ScanningSettings().consumer_concurrency == 8
