"""Organisation routes: the tree, descendants, roles catalogue, and the Network organisation
relationship report (JSON or CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Annotated, Literal

from fastapi import Query, Request, Response, status
from pydantic import BaseModel, ConfigDict

from cqrs_contracts.values import OdsCode
from cqrs_identity.access import CallerDep, organisation_tree
from cqrs_identity.api_common import context
from cqrs_identity.organisations import membership
from cqrs_identity.organisations import service as service_orgs
from cqrs_identity.organisations.relationships import PcnRelationship
from cqrs_identity.organisations.service import ReportLine
from cqrs_identity.organisations.tree import OrganisationKind, OrganisationTree
from cqrs_identity.routing import router as make_router
from cqrs_identity.users.roles import (
    COMMISSIONER_ONLY,
    GRANTABLE_BY,
    PCN_ONLY,
    PROVIDER_ONLY,
    Role,
)
from cqrs_kit.auth import CurrentUser
from cqrs_kit.paging import Page, PageDep, paginate
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


Search = Annotated[str | None, Query(max_length=100, description="search of ODS code and name")]
Sort = Literal["ods_code", "name"]


def _search(tree: OrganisationTree, codes: Iterable[str], q: str | None, sort: Sort | None) -> list[str]:
    """The codes whose code or name holds the search, in the order asked for (else as given)."""
    needle = (q or "").strip().lower()
    found = [c for c in codes if not needle or needle in c.lower() or needle in tree.get(c).name.lower()]
    if sort == "name":
        return sorted(found, key=lambda c: (tree.get(c).name.lower(), c))
    return sorted(found) if sort == "ods_code" else found


@router.get("/organisations")
async def list_organisations(
    runtime: RuntimeDep,
    page: PageDep,
    *,
    kind: OrganisationKind | None = None,
    parent: OdsCode | None = None,
    q: Search = None,
    sort: Sort = "ods_code",
) -> Page[OrganisationView]:
    """Organisations (public ODS data), filtered by kind, parent or a search of code and name,
    sorted by code or name, paged."""
    tree = await organisation_tree(runtime)
    codes = [
        o.ods_code
        for o in tree.all()
        if (kind is None or o.kind is kind) and (parent is None or o.parent == parent)
    ]
    return paginate([_view(tree, c) for c in _search(tree, codes, q, sort)], page)


@router.get("/organisations/{ods_code}")
async def get_organisation(ods_code: OdsCode, runtime: RuntimeDep) -> OrganisationView:
    """One organisation."""
    return _view(await organisation_tree(runtime), ods_code)


@router.get("/organisations/{ods_code}/descendants")
async def descendants(
    ods_code: OdsCode,
    runtime: RuntimeDep,
    _caller: CurrentUser,
    page: PageDep,
    *,
    kind: OrganisationKind | None = None,
    q: Search = None,
    sort: Sort | None = None,
) -> Page[OrganisationView]:
    """Every organisation below this one (optionally of one kind, or matching a search of code and
    name), nearest first unless sorted by code or name, paged."""
    tree = await organisation_tree(runtime)
    tree.get(ods_code)
    codes = [c for c in tree.descendants(ods_code) if kind is None or tree.get(c).kind is kind]
    return paginate([_view(tree, c) for c in _search(tree, codes, q, sort)], page)


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


class NewPcnRelationship(BaseModel):
    """A practice joining a PCN from a date (and, when known, leaving it on a later one)."""

    model_config = ConfigDict(extra="forbid")

    pcn: OdsCode
    start: dt.date
    end: dt.date | None = None


class RelationshipEnd(BaseModel):
    """The last day of a practice's membership of a PCN."""

    model_config = ConfigDict(extra="forbid")

    end: dt.date


@router.get("/practices/{practice}/pcn-relationships")
async def practice_relationships(
    practice: OdsCode, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> list[PcnRelationship]:
    """Every PCN relationship of a practice, oldest first."""
    return await membership.of_practice(context(request, runtime, caller), caller, practice)


@router.post("/practices/{practice}/pcn-relationships", status_code=status.HTTP_201_CREATED)
async def start_relationship(
    practice: OdsCode, body: NewPcnRelationship, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> PcnRelationship:
    """An ICB Organisation Administrator records a practice joining a PCN on a date
    (PcnRelationshipStarted); overlapping an existing relationship is refused."""
    return await membership.start(
        context(request, runtime, caller),
        caller,
        practice=practice,
        pcn=body.pcn,
        start=body.start,
        end=body.end,
    )


@router.post("/practices/{practice}/pcn-relationships/{relationship_id}/end")
async def end_relationship(
    practice: OdsCode,
    relationship_id: str,
    body: RelationshipEnd,
    *,
    request: Request,
    runtime: RuntimeDep,
    caller: CallerDep,
) -> PcnRelationship:
    """An ICB Organisation Administrator records a practice leaving a PCN: ``end`` is its last day
    in it (PcnRelationshipEnded)."""
    return await membership.end(
        context(request, runtime, caller),
        caller,
        practice=practice,
        relationship_id=relationship_id,
        end=body.end,
    )
