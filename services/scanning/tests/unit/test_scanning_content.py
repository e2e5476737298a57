"""Content checks of real files made in the test: types from magic bytes, archives, and NHS
numbers in every text-bearing type."""

from __future__ import annotations

import io
import zipfile

import pypdf
import pytest

from cqrs_scanning import samples
from cqrs_scanning.content import ContentLimits, ContentReport, check_content
from cqrs_scanning.domain import reasons

EVIDENCE = ["pdf", "docx", "xlsx", "csv", "txt"]
VALID = samples.VALID_NHS_NUMBER
INVALID = samples.INVALID_NHS_NUMBER


def check(data: bytes, name: str, accepted: list[str] | None = None) -> ContentReport:
    return check_content(io.BytesIO(data), name, EVIDENCE if accepted is None else accepted, ContentLimits())


def only_reason(report: ContentReport) -> str:
    assert len(report.reasons) == 1, report.reasons
    return report.reasons[0]


CLEAN_FILES = {
    "report.pdf": samples.pdf(["Care plans reviewed: 12", f"Reference {INVALID}"]),
    "report.docx": samples.docx_file(["Care plans reviewed: 12", f"Ref {INVALID}"]),
    "activity.xlsx": samples.xlsx_file([["practice", "ref"], ["A81001", 9997654324]]),
    "activity.csv": samples.csv_file([["practice", "ref"], ["A81001", INVALID]]),
    "notes.txt": "Zwölf Pläne, £193.42 each\n".encode(),
}


@pytest.mark.parametrize("name", sorted(CLEAN_FILES))
def test_clean_files_of_every_text_bearing_type_pass(name: str) -> None:
    assert check(CLEAN_FILES[name], name).reasons == []


PID_FILES = {
    "report.pdf": (samples.pdf(["Seen today", f"NHS {VALID}"]), "page 1"),
    "report.docx": (samples.docx_file(["Seen today", VALID.replace(" ", "-")]), "paragraph 2"),
    "activity.xlsx": (samples.xlsx_file([["nhs"], [9997654323]]), "sheet 'Sheet' row 2"),
    "activity.csv": (samples.csv_file([["nhs"], [VALID.replace(" ", "")]]), "line 2"),
    "utf16.csv": (("nhs\r\n" + VALID + "\r\n").encode("utf-16"), "line 2"),
}


@pytest.mark.parametrize("name", sorted(PID_FILES))
def test_a_valid_nhs_number_is_found_in_every_text_bearing_type(name: str) -> None:
    data, where = PID_FILES[name]
    assert only_reason(check(data, name)) == reasons.pid(1, where)


def test_an_nhs_number_in_document_properties_is_found() -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Title": f"Care plan for {VALID}"})
    out = io.BytesIO()
    writer.write(out)
    assert only_reason(check(out.getvalue(), "plan.pdf")) == reasons.pid(1, "the document properties")


def test_an_nhs_number_in_the_file_name_is_refused() -> None:
    assert only_reason(check(samples.pdf(["x"]), f"{VALID}.pdf")) == reasons.pid_in_name()


@pytest.mark.parametrize("program", [samples.windows_program(), samples.elf_program()])
def test_a_program_renamed_pdf_is_refused(program: bytes) -> None:
    report = check(program, "evidence.pdf")
    assert (report.real_type, report.reasons) == ("program", [reasons.program()])


def test_a_docx_renamed_pdf_is_refused() -> None:
    assert only_reason(check(CLEAN_FILES["report.docx"], "report.pdf")) == (
        reasons.name_mismatch("pdf", "a .docx file")
    )


def test_images_pass_without_reading_them() -> None:
    assert check(samples.png(), "photo.png", ["png"]).reasons == []


def test_a_damaged_pdf_is_refused() -> None:
    assert only_reason(check(b"%PDF-1.4\n1 0 obj garbage", "a.pdf")) == reasons.damaged("pdf")


def test_a_password_protected_pdf_is_refused() -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    assert only_reason(check(out.getvalue(), "a.pdf")) == reasons.password_protected("pdf")


def test_a_pdf_only_its_owner_password_protects_is_read() -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Title": f"NHS {VALID}"})
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    assert only_reason(check(out.getvalue(), "a.pdf")) == reasons.pid(1, "the document properties")


def _with_member(office: bytes, name: str) -> bytes:
    out = io.BytesIO(office)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr(name, b"\xd0\xcf\x11\xe0 not really")
    return out.getvalue()


def test_a_docx_with_macros_is_refused() -> None:
    data = _with_member(CLEAN_FILES["report.docx"], "word/vbaProject.bin")
    assert only_reason(check(data, "report.docx")) == reasons.macros("docx")


def test_an_xlsx_with_an_embedded_file_is_refused() -> None:
    data = _with_member(CLEAN_FILES["activity.xlsx"], "xl/embeddings/oleObject1.bin")
    assert only_reason(check(data, "activity.xlsx")) == reasons.embedded_files("xlsx")


def test_a_zip_is_opened_only_when_the_requirement_accepts_zip() -> None:
    archive = samples.zip_file({"a.pdf": samples.pdf(["x"])})
    assert only_reason(check(archive, "a.zip", ["pdf"])) == reasons.not_accepted("zip", {"pdf"})
    assert check(archive, "a.zip", ["zip", "pdf"]).reasons == []


def test_every_file_in_a_zip_is_checked() -> None:
    archive = samples.zip_file(
        {
            "ok.pdf": samples.pdf(["x"]),
            "patients.csv": samples.csv_file([[VALID]]),
            "tool.pdf": samples.windows_program(),
            "notes.txt": b"fine",
            "__MACOSX/._ok.pdf": b"\0\0litter",
        }
    )
    assert check(archive, "evidence.zip", ["zip", "pdf", "csv"]).reasons == [
        reasons.in_archive("patients.csv", reasons.pid(1, "line 1")),
        reasons.in_archive("tool.pdf", reasons.program()),
        reasons.in_archive("notes.txt", reasons.not_accepted("txt", {"pdf", "csv"})),
    ]


def test_a_nested_archive_is_refused_by_name_or_by_content() -> None:
    inner = samples.zip_file({"a.pdf": samples.pdf(["x"])})
    for name in ("inner.zip", "inner.pdf"):
        archive = samples.zip_file({name: inner})
        assert only_reason(check(archive, "a.zip", ["zip", "pdf"])) == (reasons.nested_archive(name))


def test_a_zip_bomb_is_refused_without_unpacking_it() -> None:
    (reason,) = check(samples.zip_bomb(), "a.zip", ["zip", "txt"]).reasons
    assert reason.startswith("The archive entry report.txt expands ")


def test_a_damaged_zip_is_refused() -> None:
    broken = samples.zip_file({"a.pdf": samples.pdf(["x"])})[:-30]
    assert only_reason(check(broken, "a.zip", ["zip", "pdf"])) == reasons.damaged("zip")
