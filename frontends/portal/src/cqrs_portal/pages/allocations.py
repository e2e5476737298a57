"""Allocated Reports: the descendant organisations, and for one of them the Quality Services whose
reports it may run (financial-year and payment-type filters, Select all, Submit)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.gateway import ApiProblem
from cqrs_portal.web import ORGANISATION_ADMINISTRATORS, GatewayDep, User, UserDep, redirect, render

router = APIRouter(prefix="/allocated-reports")
CRUMBS = [
    {"text": "Home", "href": "/"},
    {"text": "Manage Org's & Users", "href": "/administrative-tasks"},
    {"text": "Allocated Reports", "href": "/allocated-reports"},
]


def _organisation(user: User) -> str:
    mine = user.organisations_with(ORGANISATION_ADMINISTRATORS)
    if not mine:
        raise ApiProblem(403, "Forbidden", "Allocated Reports are for Organisation Administrators.")
    return mine[0]


@router.get("")
async def descendants(request: Request, user: UserDep, gateway: GatewayDep, q: str = "") -> Response:
    """All Descendant Organisations, with Search by."""
    org = _organisation(user)
    needle = q.strip().lower()
    found = [
        o
        for o in await gateway.descendants(user.session, org)
        if not needle or needle in o["ods_code"].lower() or needle in o["name"].lower()
    ]
    counts = {a["descendant"]: len(a["services"]) for a in await gateway.allocations(user.session, org)}
    return render(
        request,
        "allocations.jinja",
        {
            "title": "Allocated Reports",
            "org": org,
            "found": found,
            "counts": counts,
            "q": q,
            "breadcrumbs": CRUMBS[:2],
            "column": "nhsuk-grid-column-full",
        },
    )


def _service_key(s: dict[str, Any]) -> tuple[str, str, str]:
    return (s["financial_year"], s["payment_type"], s["quality_service_id"])


@router.get("/{descendant}")
async def services(
    request: Request,
    descendant: str,
    user: UserDep,
    gateway: GatewayDep,
    financial_year: str = "",
    payment_type: str = "",
) -> Response:
    """Select Quality Service: the services known to your organisation, ticked where allocated."""
    org = _organisation(user)
    every = await gateway.allocations(user.session, org)
    known = {s["quality_service_id"]: s for a in every for s in a["services"]}
    mine: dict[str, Any] = next((a for a in every if a["descendant"] == descendant), {"services": []})
    allocated = {s["quality_service_id"] for s in mine["services"]}
    shown = sorted(
        (
            s
            for s in known.values()
            if (not financial_year or s["financial_year"] == financial_year)
            and (not payment_type or s["payment_type"] == payment_type)
        ),
        key=_service_key,
    )
    return render(
        request,
        "allocation.jinja",
        {
            "title": f"Allocated Reports for {descendant}",
            "org": org,
            "descendant": descendant,
            "shown": shown,
            "allocated": allocated,
            "years": sorted({s["financial_year"] for s in known.values()}),
            "types": sorted({s["payment_type"] for s in known.values()}),
            "financial_year": financial_year,
            "payment_type": payment_type,
            "breadcrumbs": CRUMBS,
            "column": "nhsuk-grid-column-full",
        },
    )


@router.post("/{descendant}")
async def submit(
    request: Request,
    descendant: str,
    user: UserDep,
    gateway: GatewayDep,
    financial_year: str = "",
    payment_type: str = "",
) -> Response:
    """Submit: tick to allocate, untick to remove; a new Quality Service may be added by its id."""
    org = _organisation(user)
    form = await request.form()
    every = await gateway.allocations(user.session, org)
    known = {s["quality_service_id"]: s for a in every for s in a["services"]}
    mine: dict[str, Any] = next((a for a in every if a["descendant"] == descendant), {"services": []})
    allocated = {s["quality_service_id"] for s in mine["services"]}
    shown = [
        s["quality_service_id"]
        for s in known.values()
        if (not financial_year or s["financial_year"] == financial_year)
        and (not payment_type or s["payment_type"] == payment_type)
    ]
    ticked = set(shown) if form.get("select_all") else {str(v) for v in form.getlist("services")}
    new_id = str(form.get("new_id", "")).strip()
    add = [known[s] for s in sorted(ticked - allocated) if s in known]
    if new_id:
        add.append(
            {
                "quality_service_id": new_id,
                "financial_year": str(form.get("new_year", "")).strip(),
                "payment_type": str(form.get("new_type", "")).strip(),
            }
        )
    remove = sorted(s for s in set(shown) & allocated if s not in ticked)
    try:
        if add:
            await gateway.allocate(user.session, org, descendant, add)
        if remove:
            await gateway.unallocate(user.session, org, descendant, remove)
    except ApiProblem as problem:
        user.session.say(f"The allocations were not saved: {problem.detail}")
        return redirect(f"/allocated-reports/{descendant}")
    user.session.say("The allocations have been saved")
    return redirect(f"/allocated-reports/{descendant}")
