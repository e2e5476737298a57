"""The file-type policy: real type against the declared name and the requirement's types."""

from __future__ import annotations

import pytest

from cqrs_scanning.domain import reasons
from cqrs_scanning.domain.file_types import (
    PROGRAM,
    TEXT,
    accepted_types,
    canonical,
    extension_of,
    type_reasons,
)

EVIDENCE = ["pdf", "docx", "xlsx", "csv"]


@pytest.mark.parametrize(
    ("name", "extension"),
    [
        ("report.PDF", "pdf"),
        ("photo.jpeg", "jpg"),
        ("C:\\fakepath\\scan.TIFF", "tif"),
        ("a.b.docx", "docx"),
        ("README", None),
        (".hidden", None),
        ("trailing.", None),
    ],
)
def test_the_declared_type_comes_from_the_last_extension(name: str, extension: str | None) -> None:
    assert extension_of(name) == extension


def test_aliases_have_one_spelling() -> None:
    assert canonical(".JPEG") == "jpg"
    assert accepted_types(["JPEG", "tiff", "doc"]) == {"jpg", "tif"}


def test_a_requirement_naming_no_types_accepts_every_checkable_type() -> None:
    assert accepted_types([]) == {"pdf", "docx", "xlsx", "txt", "csv", "jpg", "png", "tif", "zip"}


@pytest.mark.parametrize(
    ("real", "name"),
    [("pdf", "report.pdf"), ("docx", "report.docx"), (TEXT, "activity.csv"), ("xlsx", "activity.XLSX")],
)
def test_a_file_that_is_what_its_name_says_and_is_accepted_passes(real: str, name: str) -> None:
    assert type_reasons(real, name, EVIDENCE) == []


def test_a_renamed_executable_is_a_program_whatever_its_name() -> None:
    assert type_reasons(PROGRAM, "evidence.pdf", EVIDENCE) == [reasons.program()]


def test_a_renamed_file_is_refused_naming_both_types() -> None:
    assert type_reasons("docx", "report.pdf", EVIDENCE) == [reasons.name_mismatch("pdf", "a .docx file")]
    assert "named .pdf but its content is plain text" in type_reasons(TEXT, "a.pdf", EVIDENCE)[0]


def test_a_type_the_requirement_does_not_accept_is_refused_listing_what_it_does() -> None:
    (reason,) = type_reasons(TEXT, "notes.txt", EVIDENCE)
    assert reason == reasons.not_accepted("txt", {"pdf", "docx", "xlsx", "csv"})
    assert "accepts .csv, .docx, .pdf or .xlsx files only" in reason


def test_types_we_cannot_look_inside_are_refused() -> None:
    (reason,) = type_reasons("doc", "report.doc", ["doc", "pdf"])
    assert reason == reasons.uncheckable("doc", {"pdf"})
    assert "Save it as .pdf" in reason


def test_unrecognisable_content_is_refused() -> None:
    assert type_reasons(None, "report.pdf", ["pdf"]) == [reasons.unrecognised({"pdf"})]


def test_a_name_without_extension_is_refused() -> None:
    assert type_reasons("pdf", "report", EVIDENCE) == [reasons.no_extension("pdf")]
