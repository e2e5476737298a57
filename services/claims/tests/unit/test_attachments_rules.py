"""Which files a component accepts, checked before anything is stored; scan verdicts applied once."""

from __future__ import annotations

import datetime as dt

import pytest

from cqrs_claims.attachments.domain import (
    Attachment,
    AttachmentStatus,
    UploadRefused,
    apply,
    check_file,
    delete,
    record_scan,
)
from cqrs_contracts.events import AttachmentUploaded, FileScanned

NOW = dt.datetime(2025, 7, 10, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("name", "media", "accepted", "ext"),
    [
        ("practices.pdf", "application/pdf", ["pdf", "docx"], "pdf"),
        ("Practices.PDF", "application/octet-stream", ["pdf"], "pdf"),
        (
            "C:\\Users\\me\\notes.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ["docx"],
            "docx",
        ),
        ("list.csv", "text/csv", [], "csv"),
    ],
)
def test_accepted_files(name: str, media: str, accepted: list[str], ext: str) -> None:
    assert check_file(name, media, accepted) == ext


@pytest.mark.parametrize(
    ("name", "media", "accepted", "says"),
    [
        ("practices.docx", "application/pdf", ["pdf"], "accepted types: pdf"),
        ("practices", "application/pdf", ["pdf"], "not an accepted file type"),
        ("run.exe", "application/octet-stream", [], "not an accepted file type"),
        ("practices.pdf", "application/x-msdownload", ["pdf"], "not a .pdf file"),
        ("", "application/pdf", ["pdf"], "no name"),
    ],
)
def test_refused_files_say_why(name: str, media: str, accepted: list[str], says: str) -> None:
    with pytest.raises(UploadRefused, match=says) as refused:
        check_file(name, media, accepted)
    assert refused.value.field == "file"


def _uploaded() -> Attachment:
    return apply(
        None,
        AttachmentUploaded(
            attachment_id="a1",
            claim_id="35929",
            provider_organisation_id="A81001",
            bucket="cqrs-attachments",
            object_key="A81001/35929/a1",
            file_name="practices.pdf",
            media_type="application/pdf",
            size_bytes=51200,
            accepted_file_types=["pdf"],
            uploaded_at=NOW,
            component_id="ear-irrigation",
        ),
    )


def _scanned(verdict: str, **extra: object) -> FileScanned:
    return FileScanned(
        attachment_id="a1",
        claim_id="35929",
        verdict=verdict,  # type: ignore[arg-type]
        engine_version="ClamAV 1.4",
        signature_version="1",
        scanned_at=NOW,
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("scan", "status"),
    [
        (_scanned("clean"), AttachmentStatus.CLEAN),
        (
            _scanned("infected", signature="Eicar-Test-Signature", reasons=["malware"]),
            AttachmentStatus.INFECTED,
        ),
        (_scanned("rejected", reasons=["save it as PDF"]), AttachmentStatus.REJECTED),
    ],
)
def test_the_first_verdict_sets_the_status_and_a_repeat_changes_nothing(
    scan: FileScanned, status: AttachmentStatus
) -> None:
    state = _uploaded()
    assert (state.status, state.downloadable) == (AttachmentStatus.PENDING, False)
    (changed,) = record_scan(state, scan, "scan-event-1", NOW)
    state = apply(state, changed)
    assert (state.status, state.reasons, state.downloadable) == (
        status,
        list(scan.reasons),
        status is AttachmentStatus.CLEAN,
    )
    assert record_scan(state, scan, "scan-event-1", NOW) == []


def test_a_deleted_attachment_ignores_late_verdicts() -> None:
    state = _uploaded()
    state = apply(state, delete(state, "user-1", NOW)[0])
    assert state.status is AttachmentStatus.DELETED
    assert record_scan(state, _scanned("clean"), "e", NOW) == []
    assert delete(state, "user-1", NOW) == []
