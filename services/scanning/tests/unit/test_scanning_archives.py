"""The archive policy, decided from a zip's directory without unpacking anything."""

from __future__ import annotations

from cqrs_scanning.domain import reasons
from cqrs_scanning.domain.archives import (
    ArchiveLimits,
    Entry,
    bomb_reasons,
    is_junk,
    office_reasons,
    zip_reasons,
)

MB = 1024 * 1024
LIMITS = ArchiveLimits(max_entries=3, max_unpacked_bytes=100 * MB, max_ratio=200)


def test_an_ordinary_archive_passes() -> None:
    entries = [Entry("a.pdf", 900_000, 1_000_000), Entry("b.csv", 50_000, 5 * MB)]
    assert zip_reasons(entries, LIMITS) == []


def test_an_entry_expanding_beyond_the_ratio_is_a_bomb() -> None:
    entries = [Entry("zeros.txt", 50_000, 50 * MB)]
    assert zip_reasons(entries, LIMITS) == [reasons.decompression_bomb("zeros.txt", 1048, 200)]


def test_small_entries_may_compress_well() -> None:
    assert bomb_reasons([Entry("styles.xml", 100, 900_000)], LIMITS) == []


def test_an_entry_with_nothing_stored_cannot_expand_far() -> None:
    (reason,) = bomb_reasons([Entry("x", 0, 2 * MB)], LIMITS)
    assert "expands" in reason


def test_too_much_in_total_is_refused() -> None:
    entries = [Entry(f"{n}.pdf", 40 * MB, 40 * MB) for n in range(3)]
    assert bomb_reasons(entries, LIMITS) == [reasons.unpacked_too_large(120 * MB, 100 * MB)]


def test_too_many_entries_are_refused() -> None:
    entries = [Entry(f"{n}.pdf", 10, 10) for n in range(4)]
    assert bomb_reasons(entries, LIMITS) == [reasons.too_many_entries(4, 3)]


def test_password_protected_entries_cannot_be_checked() -> None:
    assert zip_reasons([Entry("a.pdf", 10, 10, encrypted=True)], LIMITS) == [
        reasons.password_protected("zip")
    ]


def test_office_files_with_macros_or_embedded_files_are_refused() -> None:
    entries = [
        Entry("word/document.xml", 10, 10),
        Entry("word/vbaProject.bin", 10, 10),
        Entry("word/embeddings/oleObject1.bin", 10, 10),
    ]
    assert office_reasons("docx", entries, LIMITS) == [reasons.macros("docx"), reasons.embedded_files("docx")]


def test_folders_and_system_litter_are_not_evidence() -> None:
    assert is_junk(Entry("scans/", 0, 0, is_dir=True))
    assert is_junk(Entry("__MACOSX/._a.pdf", 10, 10))
    assert is_junk(Entry("scans/.DS_Store", 10, 10))
    assert not is_junk(Entry("scans/a.pdf", 10, 10))
