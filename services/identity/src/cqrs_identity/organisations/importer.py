"""Load organisations and PCN relationships from CSV files into identity.

    python -m cqrs_identity.organisations.importer organisations.csv relationships.csv

organisations.csv — one organisation a row, with a header row:

    ods_code,name,kind,parent_ods_code
    X24,NHS England,NHS England,
    Y56,London,Region,X24
    QRV,North West London ICB,ICB,Y56
    U10001,Harrow North PCN,PCN,QRV
    E85001,Abbey Road Surgery,GP Practice,QRV

``kind`` is one of NHS England, Region, ICB, PCN, GP Practice, Federation (any case). ODS-style
codes: a PCN is ``U`` and five digits, a GP practice a letter and five digits, NHS England,
regions and ICBs three letters or digits. ``parent_ods_code`` is empty only for NHS England; a
practice's parent is its ICB (its PCN is a dated relationship, below). Rows may come in any order.

relationships.csv — one PCN membership a row:

    practice_ods_code,pcn_ods_code,start_date,end_date
    E85001,U10001,2019-07-01,2024-03-31
    E85001,U10002,2024-04-01,

Dates are ISO (YYYY-MM-DD), ``end_date`` is inclusive and may be empty (still a member). A
practice's relationships may not overlap. Loading the same files twice changes nothing, and a row
gaining an end date ends the relationship. Every row is checked before anything is saved; a bad
row is reported with its file, line and column.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import sys
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from cqrs_identity.context import Context
from cqrs_identity.errors import RuleBroken
from cqrs_identity.organisations.service import RelationshipRow, import_organisations
from cqrs_identity.organisations.tree import Organisation, OrganisationKind
from cqrs_identity.settings import IdentitySettings
from cqrs_identity.store import INDEXES
from cqrs_kit.runtime import Runtime

ORGANISATION_COLUMNS = ("ods_code", "name", "kind", "parent_ods_code")
RELATIONSHIP_COLUMNS = ("practice_ods_code", "pcn_ods_code", "start_date", "end_date")
_KINDS = {k.value.lower(): k for k in OrganisationKind}


class ImportProblem(ValueError):
    """A row of a CSV file cannot be loaded; the message names file, line and column."""


def _rows(text: str, source: str, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        msg = f"{source}: the header must name the columns {', '.join(columns)}; missing {missing}"
        raise ImportProblem(msg)
    for number, row in enumerate(reader, start=2):
        yield number, {k: (v or "").strip() for k, v in row.items() if k}


def parse_organisations(text: str, source: str = "organisations.csv") -> list[Organisation]:
    """Read organisations.csv (see the module docstring for its columns)."""
    found: list[Organisation] = []
    for line, row in _rows(text, source, ORGANISATION_COLUMNS):
        kind = _KINDS.get(row["kind"].lower())
        if kind is None:
            msg = (
                f"{source} line {line}, kind: {row['kind']!r} is not one of "
                f"{', '.join(k.value for k in OrganisationKind)}"
            )
            raise ImportProblem(msg)
        try:
            found.append(
                Organisation(
                    ods_code=row["ods_code"].upper(),
                    name=row["name"],
                    kind=kind,
                    parent=row["parent_ods_code"].upper() or None,
                )
            )
        except ValidationError as exc:
            column = ".".join(str(p) for p in exc.errors()[0]["loc"])
            msg = f"{source} line {line}, {column}: {exc.errors()[0]['msg']}"
            raise ImportProblem(msg) from exc
    return found


def _date(value: str, source: str, line: int, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        msg = f"{source} line {line}, {column}: {value!r} is not a date like 2024-04-01"
        raise ImportProblem(msg) from exc


def parse_relationships(text: str, source: str = "relationships.csv") -> list[RelationshipRow]:
    """Read relationships.csv (see the module docstring for its columns)."""
    found: list[RelationshipRow] = []
    for line, row in _rows(text, source, RELATIONSHIP_COLUMNS):
        start = _date(row["start_date"], source, line, "start_date")
        end = _date(row["end_date"], source, line, "end_date") if row["end_date"] else None
        found.append(
            RelationshipRow(
                practice=row["practice_ods_code"].upper(),
                pcn=row["pcn_ods_code"].upper(),
                start=start,
                end=end,
            )
        )
    return found


async def load(
    runtime: Runtime, organisations_csv: str, relationships_csv: str | None = None
) -> tuple[int, int]:
    """Load both files' text; returns (organisations changed, relationship events made)."""
    orgs = parse_organisations(organisations_csv)
    rows = parse_relationships(relationships_csv) if relationships_csv else []
    ctx = Context(runtime, "importer")
    try:
        return await import_organisations(ctx, orgs, rows)
    except RuleBroken as exc:
        raise ImportProblem(f"{exc.field or 'row'}: {exc.message}") from exc


async def _run(texts: list[str]) -> int:
    runtime = Runtime.build(IdentitySettings(), outbox_collections=[])
    await runtime.mongo.ensure_indexes(INDEXES)
    try:
        changed, made = await load(runtime, texts[0], texts[1] if len(texts) > 1 else None)
    except ImportProblem as exc:
        print(f"nothing was loaded: {exc}", file=sys.stderr)
        return 2
    finally:
        await runtime.mongo.close()
    print(
        f"{changed} organisations added or changed, {made} relationship changes recorded; "
        "the running identity service publishes their events"
    )
    return 0


def main(paths: list[str]) -> int:
    """Read the files, then load them into the database named by the CQRS_ environment."""
    if len(paths) not in (1, 2):
        print(__doc__.split("\n\n", 2)[1], file=sys.stderr)
        return 2
    try:
        texts = [Path(p).read_text(encoding="utf-8-sig") for p in paths]
    except OSError as exc:
        print(f"nothing was loaded: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(_run(texts))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
