"""Reading clamd's replies: verdicts, errors and versions."""

from __future__ import annotations

import pytest

from cqrs_scanning.clamd import (
    ClamdFailed,
    ScannerVersion,
    StreamTooLong,
    parse_verdict,
    parse_version,
)
from cqrs_scanning.domain.verdict import MalwareResult


def test_ok_is_clean_and_found_names_the_signature() -> None:
    assert parse_verdict("stream: OK") == MalwareResult()
    assert parse_verdict("stream: Eicar-Test-Signature.UNOFFICIAL FOUND") == MalwareResult(
        "Eicar-Test-Signature.UNOFFICIAL"
    )


def test_an_over_long_stream_is_the_files_fault() -> None:
    with pytest.raises(StreamTooLong):
        parse_verdict("INSTREAM size limit exceeded. ERROR")


def test_any_other_error_is_retried_never_passed() -> None:
    with pytest.raises(ClamdFailed):
        parse_verdict("stream: Can't create temporary file ERROR")
    with pytest.raises(ClamdFailed):
        parse_verdict("")


def test_versions_with_and_without_an_official_database() -> None:
    assert parse_version("ClamAV 1.4.6/27480/Mon Nov 23 09:32:01 2026") == ScannerVersion(
        "ClamAV 1.4.6", "27480 (Mon Nov 23 09:32:01 2026)"
    )
    assert parse_version("ClamAV 1.4.6") == ScannerVersion("ClamAV 1.4.6", "unversioned")
