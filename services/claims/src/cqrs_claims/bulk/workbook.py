"""The bulk claims workbook as an XLSX file (openpyxl): written pre-filled, one row per provider and
component, with the header row and the pre-filled columns locked and lists where a cell has a few
right answers; and read back into rows by header, so every problem can name its row and column."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

import openpyxl  # type: ignore[import-untyped]
from openpyxl.styles import Font, PatternFill, Protection  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

from cqrs_claims.bulk.domain import (
    KIND,
    NO,
    PRICE,
    PROVIDER,
    UNITS,
    YES,
    Cell,
    RowProblem,
    SheetRow,
    columns,
    question_key,
    questions_of,
)
from cqrs_claims.catalogue.domain import ServiceVersion

SHEET = "Bulk claims"
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The most a workbook may hold once unzipped (a small file that unzips into gigabytes is refused).
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024


class NotAWorkbook(ValueError):
    """The upload is not an XLSX workbook this service wrote (or it is too big to read)."""


@dataclass(frozen=True)
class TemplateRow:
    """One pre-filled row: a provider and a component of the service."""

    provider: str
    provider_name: str
    component_id: str


def _price(service: ServiceVersion, component_id: str) -> float:
    component = service.component(component_id)
    assert component is not None
    pence = component.amount_pence if component.kind == "retainer" else component.unit_price_pence
    return (pence or 0) / 100


def template(service: ServiceVersion, rows: Sequence[TemplateRow]) -> bytes:
    """The pre-filled workbook of one service: fill in Units (and answers) and upload it."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    cols = columns(service)
    header_fill = PatternFill("solid", fgColor="005EB8")
    for index, (_, header) in enumerate(cols, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        sheet.column_dimensions[get_column_letter(index)].width = max(14, min(len(header) + 2, 48))
    keys = [key for key, _ in cols]
    for number, row in enumerate(rows, start=2):
        component = service.component(row.component_id)
        assert component is not None
        values: dict[str, Cell] = {
            PROVIDER: row.provider,
            "provider_name": row.provider_name,
            "service": service.quality_service_id,
            "service_name": service.service_name,
            "component": component.component_id,
            "component_name": component.component_name,
            KIND: "Retainer (enter 1 to claim)" if component.kind == "retainer" else "Units",
            PRICE: _price(service, component.component_id),
        }
        for index, key in enumerate(keys, start=1):
            cell = sheet.cell(row=number, column=index, value=values.get(key))
            if key == PRICE:
                cell.number_format = "£#,##0.00"
            if key == UNITS or key.startswith("answer:"):
                cell.protection = Protection(locked=False)  # the cells to fill in
    last = max(len(rows) + 1, 2)
    units = DataValidation(
        type="whole", operator="between", formula1="0", formula2="100000", allow_blank=True
    )
    units.error = "Enter a whole number of units, 0 or more (1 claims a retainer)"
    units.showErrorMessage = True
    sheet.add_data_validation(units)
    units.add(f"{get_column_letter(keys.index(UNITS) + 1)}2:{get_column_letter(keys.index(UNITS) + 1)}{last}")
    for question in questions_of(service):
        if question.kind != "yes_no":
            continue
        letter = get_column_letter(keys.index(question_key(question)) + 1)
        yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
        yes_no.error = "Answer Yes or No"
        yes_no.showErrorMessage = True
        sheet.add_data_validation(yes_no)
        yes_no.add(f"{letter}2:{letter}{last}")
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True  # headers and pre-filled columns are locked
    sheet.protection.formatColumns = False  # people may still widen columns
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _unzipped_size(data: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise NotAWorkbook("the file is not an XLSX workbook") from exc


def read(data: bytes, service: ServiceVersion, max_rows: int) -> tuple[dict[str, str], list[SheetRow]]:
    """The data rows by header, and each column key's letter (for naming a wrong cell).

    Raises NotAWorkbook for anything that is not a readable XLSX file, and RowProblem-ready
    ``MissingColumns`` when a header the service needs is gone.
    """
    if _unzipped_size(data) > MAX_UNZIPPED_BYTES:
        raise NotAWorkbook("the workbook is too big once unzipped")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise NotAWorkbook("the file is not an XLSX workbook") from exc
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = [str(v).strip() if v is not None else "" for v in next(lines, ())]
        wanted = {text: key for key, text in columns(service)}
        letters = {wanted[text]: get_column_letter(i) for i, text in enumerate(header, 1) if text in wanted}
        missing = [(key, text) for text, key in wanted.items() if key not in letters]
        if missing:
            raise MissingColumns(
                [
                    RowProblem(1, key, f"the column {text!r} is missing", "column-missing")
                    for key, text in missing
                ]
            )
        index = {key: header.index(text) for text, key in wanted.items()}
        rows: list[SheetRow] = []
        for number, values in enumerate(lines, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue  # an empty row is not a row
            rows.append(SheetRow(number, {k: _cell(values, i) for k, i in index.items()}))
            if len(rows) > max_rows:
                break
        return letters, rows
    except (MissingColumns, NotAWorkbook):
        raise
    except Exception as exc:
        raise NotAWorkbook("the workbook could not be read") from exc
    finally:
        book.close()


def _cell(values: Sequence[object], index: int) -> Cell:
    value = values[index] if index < len(values) else None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class MissingColumns(ValueError):
    """Columns the service's workbook needs are not in the header row."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems
