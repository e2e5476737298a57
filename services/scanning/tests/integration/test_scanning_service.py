"""Scanning on the real stack: uploads announced on Kafka come back as FileScanned verdicts, and
the objects end up tagged clean or in quarantine."""

from __future__ import annotations

import asyncio

import pytest

from cqrs_contracts.topics import dead_letter_topic
from cqrs_kit.testing import read_topic, unique
from cqrs_scanning import samples, testing
from cqrs_scanning.domain import reasons
from cqrs_scanning.testing import Harness

pytestmark = pytest.mark.integration

PID_REASON = "patient-identifiable data"


async def _is_quarantined(scanning: Harness, attachment_id: str, upload_key: str, verdict: str) -> None:
    assert await scanning.tags(scanning.bucket, upload_key) is None, "left downloadable"
    tags = await scanning.tags(scanning.settings.scan_quarantine_bucket, attachment_id)
    assert tags is not None
    assert tags["cqrs-scan-verdict"] == verdict


async def test_eicar_is_infected_and_quarantined(scanning: Harness) -> None:
    upload = await scanning.upload("evidence.pdf", samples.eicar())
    (scanned,) = await scanning.verdicts(upload)
    assert scanned.verdict == "infected"
    assert scanned.signature is not None
    assert scanned.signature.startswith("Eicar-Test-Signature")
    assert scanned.engine_version.startswith("ClamAV ")
    assert scanned.reasons == [reasons.infected(scanned.signature)]
    await _is_quarantined(scanning, upload.attachment_id, upload.object_key, "infected")


async def test_clean_pdf_and_docx_are_tagged_clean_in_place(scanning: Harness) -> None:
    pdf = await scanning.upload("report.pdf", samples.pdf(["Care plans reviewed: 12"]))
    docx = await scanning.upload("report.docx", samples.docx_file(["Care plans reviewed: 12"]))
    for upload, scanned in zip((pdf, docx), await scanning.verdicts(pdf, docx), strict=True):
        assert (scanned.verdict, scanned.reasons, scanned.signature) == ("clean", [], None)
        assert scanned.claim_id == upload.claim_id
        assert await scanning.tags(scanning.bucket, upload.object_key) == {
            "cqrs-scan-verdict": "clean",
            "cqrs-attachment": upload.attachment_id,
        }
        record = await scanning.record(upload.attachment_id)
        assert record is not None
        assert (record.verdict, record.object_bucket) == ("clean", scanning.bucket)


async def test_a_valid_nhs_number_in_a_csv_or_pdf_is_rejected(scanning: Harness) -> None:
    csv = await scanning.upload(
        "activity.csv", samples.csv_file([["practice", "patient"], ["A81001", samples.VALID_NHS_NUMBER]])
    )
    pdf = await scanning.upload(
        "activity.pdf",
        samples.pdf(["Patient seen", f"NHS number {samples.VALID_NHS_NUMBER.replace(' ', '-')}"]),
    )
    for upload, scanned in zip((csv, pdf), await scanning.verdicts(csv, pdf), strict=True):
        assert scanned.verdict == "rejected"
        assert len(scanned.reasons) == 1
        assert PID_REASON in scanned.reasons[0]
        assert samples.VALID_NHS_NUMBER.replace(" ", "") not in scanned.reasons[0]
        await _is_quarantined(scanning, upload.attachment_id, upload.object_key, "rejected")


async def test_ten_digits_failing_the_check_digit_are_not_flagged(scanning: Harness) -> None:
    csv = await scanning.upload(
        "activity.csv", samples.csv_file([["practice", "reference"], ["A81001", samples.INVALID_NHS_NUMBER]])
    )
    pdf = await scanning.upload(
        "activity.pdf", samples.pdf([f"Reference {samples.INVALID_NHS_NUMBER.replace(' ', '')}"])
    )
    assert [s.verdict for s in await scanning.verdicts(csv, pdf)] == ["clean", "clean"]


async def test_an_executable_renamed_pdf_is_rejected(scanning: Harness) -> None:
    upload = await scanning.upload("evidence.pdf", samples.windows_program())
    (scanned,) = await scanning.verdicts(upload)
    assert (scanned.verdict, scanned.reasons) == ("rejected", [reasons.program()])
    await _is_quarantined(scanning, upload.attachment_id, upload.object_key, "rejected")


async def test_archives_follow_the_policy(scanning: Harness) -> None:
    accepted = ("zip", "pdf")
    bomb = await scanning.upload("evidence.zip", samples.zip_bomb(), accepted)
    nested = await scanning.upload(
        "evidence.zip",
        samples.zip_file({"inner.zip": samples.zip_file({"a.pdf": samples.pdf(["x"])})}),
        accepted,
    )
    fine = await scanning.upload(
        "evidence.zip", samples.zip_file({"a.pdf": samples.pdf(["x"]), "b.pdf": samples.pdf(["y"])}), accepted
    )
    found = await scanning.verdicts(bomb, nested, fine)
    assert [s.verdict for s in found] == ["rejected", "rejected", "clean"]
    assert "expands" in found[0].reasons[0]
    assert found[1].reasons == [reasons.nested_archive("inner.zip")]


async def test_a_file_over_the_size_limit_is_rejected(scanning: Harness) -> None:
    limit = scanning.settings.scan_max_file_bytes
    upload = await scanning.upload("big.pdf", samples.pdf(["x"], size=limit + 1024 * 1024))
    (scanned,) = await scanning.verdicts(upload)
    assert scanned.verdict == "rejected"
    assert scanned.reasons[0].startswith("The file is larger than 5 MB")


async def test_the_same_upload_twice_is_scanned_once(scanning: Harness) -> None:
    data = samples.pdf(["Care plans reviewed: 3"])
    key = "A81001/twice/report.pdf"
    await testing.put_object(scanning.s3, scanning.bucket, key, data)
    event = testing.upload_event(scanning.bucket, key, "report.pdf", len(data))
    entry = testing.outbox_entry(event)
    await scanning.publish(entry)  # delivered twice as is (a relay that crashed before removal)
    await scanning.publish(entry)
    await scanning.publish(testing.outbox_entry(event))  # and once more under a new envelope
    await scanning.verdicts(event)
    await asyncio.sleep(2)
    assert len(scanning.watcher.seen[event.attachment_id]) == 1
    record = await scanning.record(event.attachment_id)
    assert record is not None
    assert record.verdict == "clean"


async def test_an_upload_announced_again_after_its_snapshot_was_lost_is_not_scanned_twice(
    scanning: Harness,
) -> None:
    """The check before scanning reads only the snapshot; when that lags, the save's conflict
    still finds the record, and no second FileScanned goes out."""
    event = await scanning.upload("report.pdf", samples.pdf(["Care plans reviewed: 3"]))
    await scanning.verdicts(event)
    first = await scanning.record(event.attachment_id)
    await scanning.store.forget_snapshot(event.attachment_id)
    await scanning.publish(testing.outbox_entry(event))  # announced again under a new envelope
    await asyncio.sleep(3)
    assert len(scanning.watcher.seen[event.attachment_id]) == 1
    assert await scanning.store.peek(event.attachment_id) == first  # the service's conflict path reloaded it


async def test_an_upload_whose_object_is_missing_is_dead_lettered(scanning: Harness) -> None:
    event = testing.upload_event(scanning.bucket, "A81001/nowhere/gone.pdf", "gone.pdf", 10)
    await scanning.publish(testing.outbox_entry(event))
    topic = dead_letter_topic(scanning.settings.group)
    records = await read_topic(
        topic,
        until=lambda rs: any(dict(r.headers).get("ce_subject") == event.attachment_id.encode() for r in rs),
    )
    assert any(dict(r.headers).get("ce_subject") == event.attachment_id.encode() for r in records)
    assert event.attachment_id not in scanning.watcher.seen
    assert await scanning.record(event.attachment_id) is None


async def test_an_upload_in_a_bucket_scanning_does_not_watch_is_left_alone(
    scanning: Harness,
) -> None:
    elsewhere = unique("test-elsewhere")
    await scanning.s3.ensure_buckets([elsewhere])
    try:
        await testing.put_object(scanning.s3, elsewhere, "x.pdf", samples.eicar())
        event = testing.upload_event(elsewhere, "x.pdf", "x.pdf", 68)
        await scanning.publish(testing.outbox_entry(event))
        topic = dead_letter_topic(scanning.settings.group)
        subject = event.attachment_id.encode()
        records = await read_topic(
            topic, until=lambda rs: any(dict(r.headers).get("ce_subject") == subject for r in rs)
        )
        (dead,) = [r for r in records if dict(r.headers).get("ce_subject") == subject]
        assert b"not an upload bucket" in dict(dead.headers)["dlq_error"]
        assert await scanning.tags(elsewhere, "x.pdf") == {}, "the object was touched"
        assert event.attachment_id not in scanning.watcher.seen
    finally:
        await testing.remove_bucket(scanning.s3, elsewhere)


async def test_readiness_includes_clamd(scanning: Harness) -> None:
    answer = await scanning.client.get("/api/scanning/readyz")
    assert answer.status_code == 200
    assert answer.json()["checks"]["clamd"] == "ok"


async def test_the_harness_runs_scanning_with_its_own_defaults(scanning: Harness) -> None:
    """The harness starts from the kit's test settings; the kit's defaults must not override
    scanning's (the bench measures the service as it is deployed: 64 scans in flight)."""
    assert scanning.settings.consumer_concurrency == 64
