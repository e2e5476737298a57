"""Organisation routes: the tree, descendants, roles catalogue, and the Network organisation
relationship report (JSON or CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Literal

from fastapi import Query, Request, Response
from pydantic import BaseModel

from cqrs_contracts.values import OdsCode
from cqrs_identity import service_orgs
from cqrs_identity.access import CallerDep, organisation_tree
from cqrs_identity.api_common import context
from cqrs_identity.domain.organisations import OrganisationKind, OrganisationTree
from cqrs_identity.domain.roles import (
    COMMISSIONER_ONLY,
    GRANTABLE_BY,
    PCN_ONLY,
    PROVIDER_ONLY,
    Role,
)
from cqrs_identity.routing import router as make_router
from cqrs_identity.service_orgs import ReportLine
from cqrs_kit.auth import CurrentUser
from cqrs_kit.runtime import RuntimeDep

router = make_router("organisations")


class OrganisationView(BaseModel):
    """An organisation with the chain of organisations above it."""

    ods_code: str
    name: str
    kind: OrganisationKind
    parent: str | None
    ancestors: list[str]


def _view(tree: OrganisationTree, code: str) -> OrganisationView:
    org = tree.get(code)
    return OrganisationView(
        ods_code=org.ods_code, name=org.name, kind=org.kind, parent=org.parent, ancestors=tree.ancestors(code)
    )


@router.get("/organisations")
async def list_organisations(
    runtime: RuntimeDep,
    kind: OrganisationKind | None = None,
    parent: OdsCode | None = None,
    q: str | None = Query(default=None, max_length=100),
) -> list[OrganisationView]:
    """Organisations (public ODS data), filtered by kind, parent or a search of code and name."""
    tree = await organisation_tree(runtime)
    needle = (q or "").strip().lower()
    return [
        _view(tree, o.ods_code)
        for o in tree.all()
        if (kind is None or o.kind is kind)
        and (parent is None or o.parent == parent)
        and (not needle or needle in o.ods_code.lower() or needle in o.name.lower())
    ]


@router.get("/organisations/{ods_code}")
async def get_organisation(ods_code: OdsCode, runtime: RuntimeDep) -> OrganisationView:
    """One organisation."""
    return _view(await organisation_tree(runtime), ods_code)


@router.get("/organisations/{ods_code}/descendants")
async def descendants(
    ods_code: OdsCode, runtime: RuntimeDep, _caller: CurrentUser, kind: OrganisationKind | None = None
) -> list[OrganisationView]:
    """Every organisation below this one (optionally of one kind), nearest first."""
    tree = await organisation_tree(runtime)
    tree.get(ods_code)
    return [_view(tree, c) for c in tree.descendants(ods_code) if kind is None or tree.get(c).kind is kind]


class RoleView(BaseModel):
    """A role, where it may be held, and which roles it may grant."""

    role: Role
    held_at: list[OrganisationKind]
    may_grant: list[Role]


@router.get("/roles")
async def roles() -> list[RoleView]:
    """The roles catalogue and the role-grant matrix."""

    def held_at(role: Role) -> list[OrganisationKind]:
        """The kinds of organisation that may hold the role."""
        if role in PCN_ONLY:
            return [OrganisationKind.PCN]
        if role in COMMISSIONER_ONLY:
            return [OrganisationKind.NHS_ENGLAND, OrganisationKind.REGION, OrganisationKind.ICB]
        if role in PROVIDER_ONLY:
            return [OrganisationKind.PCN, OrganisationKind.PRACTICE, OrganisationKind.FEDERATION]
        return list(OrganisationKind)

    return [
        RoleView(
            role=r,
            held_at=held_at(r),
            may_grant=sorted(GRANTABLE_BY.get(r, frozenset()), key=list(Role).index),
        )
        for r in Role
    ]


CSV_COLUMNS = (
    "pcn_ods_code",
    "pcn_name",
    "practice_ods_code",
    "practice_name",
    "start_date",
    "end_date",
    "current",
)


def _csv(lines: list[ReportLine]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for line in lines:
        row = line.model_dump(mode="json")
        writer.writerow(
            {**row, "end_date": row["end_date"] or "", "current": "Yes" if line.current else "No"}
        )
    return out.getvalue()


@router.get("/pcn-relationships/report", response_model=list[ReportLine])
async def relationship_report(
    request: Request,
    runtime: RuntimeDep,
    caller: CallerDep,
    *,
    start: dt.date,
    end: dt.date,
    pcn: OdsCode | None = None,
    practice: OdsCode | None = None,
    format: Literal["json", "csv"] = "json",
) -> object:
    """Network organisation relationship report: relationships overlapping start–end. ICB users
    see their area (filter to a PCN for its current practices, or to a practice for all its
    relationships in the period); GP and PCN users see their own PCN's current practices."""
    lines = await service_orgs.relationship_report(
        context(request, runtime, caller), caller, start=start, end=end, pcn=pcn, practice=practice
    )
    if format == "csv":
        name = f"network-organisation-relationships-{start}-{end}.csv"
        return Response(
            _csv(lines),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return lines
