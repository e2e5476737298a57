"""The CSV importer reads documented columns and names the file, line and column of a bad row."""

from __future__ import annotations

import datetime as dt

import pytest

from cqrs_identity.organisations.importer import ImportProblem, parse_organisations, parse_relationships
from cqrs_identity.organisations.tree import OrganisationKind


def test_organisations_are_read_in_any_case_and_order() -> None:
    orgs = parse_organisations(
        "ods_code,name,kind,parent_ods_code\n e85001 ,Abbey Road Surgery,gp practice,qrv\n"
        "X24,NHS England,NHS England,\n"
    )
    assert [(o.ods_code, o.kind, o.parent) for o in orgs] == [
        ("E85001", OrganisationKind.PRACTICE, "QRV"),
        ("X24", OrganisationKind.NHS_ENGLAND, None),
    ]


def test_relationships_have_optional_end_dates() -> None:
    rows = parse_relationships(
        "practice_ods_code,pcn_ods_code,start_date,end_date\n"
        "E85001,U10001,2019-07-01,2024-03-31\nE85001,U10002,2024-04-01,\n"
    )
    assert [(r.pcn, r.start, r.end) for r in rows] == [
        ("U10001", dt.date(2019, 7, 1), dt.date(2024, 3, 31)),
        ("U10002", dt.date(2024, 4, 1), None),
    ]


@pytest.mark.parametrize(
    ("orgs", "rels", "message"),
    [
        ("ods_code,name\nX,Y\n", "", "missing"),
        ("ods_code,name,kind,parent_ods_code\nK99999,S,Hospital,QUE\n", "", "line 2, kind"),
        ("ods_code,name,kind,parent_ods_code\nK99999,,GP Practice,QUE\n", "", "line 2, name"),
        (
            "ods_code,name,kind,parent_ods_code\n",
            "practice_ods_code,pcn_ods_code,start_date,end_date\nE85001,U10001,01/07/2019,\n",
            "line 2, start_date",
        ),
    ],
)
def test_bad_csv_is_reported_with_line_and_column(orgs: str, rels: str, message: str) -> None:
    with pytest.raises(ImportProblem, match=message):
        _parse_both(orgs, rels)


def _parse_both(orgs: str, rels: str) -> None:
    parse_organisations(orgs)
    parse_relationships(rels)
