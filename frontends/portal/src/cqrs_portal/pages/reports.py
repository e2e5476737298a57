"""Reports › Administrative › Network organisation relationship: dates, a PCN or practice filter,
the report as a table and as a CSV download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.forms import organisation_names
from cqrs_portal.gateway import ApiProblem
from cqrs_portal.web import GatewayDep, UserDep, error_list, organisations_in_scope, problem_errors, render

router = APIRouter(prefix="/reports")
REPORT = "/reports/administrative/network-organisation-relationship"
FILTER_KINDS = {"PCN": "pcn", "GP Practice": "practice"}
CRUMBS = [{"text": "Home", "href": "/"}, {"text": "Reports", "href": "/reports"}]


@router.get("")
async def reports(request: Request, user: UserDep) -> Response:
    """The report tabs."""
    return render(request, "reports.jinja", {"title": "Reports", "breadcrumbs": CRUMBS[:1]})


@router.get("/administrative")
async def administrative(request: Request, user: UserDep) -> Response:
    """The Administrative sub tab."""
    return render(
        request, "reports_administrative.jinja", {"title": "Administrative reports", "breadcrumbs": CRUMBS}
    )


def _date(query: dict[str, str], name: str, label: str, errors: dict[str, str]) -> dt.date | None:
    parts = [query.get(f"{name}[{p}]", "").strip() for p in ("day", "month", "year")]
    if not any(parts):
        errors[name] = f"Enter the {label}"
        return None
    try:
        day, month, year = (int(p) for p in parts)
        return dt.date(year, month, day)
    except ValueError:
        errors[name] = f"The {label} must be a real date"
        return None


def _params(query: dict[str, str], errors: dict[str, str]) -> dict[str, str]:
    start = _date(query, "start", "start date", errors)
    end = _date(query, "end", "end date", errors)
    if start and end and end < start:
        errors["end"] = "The end date must be the same as or after the start date"
    params = {"start": str(start), "end": str(end)}
    kind, _, code = query.get("filter", "").partition(":")
    if kind in {"pcn", "practice"} and code:
        params[kind] = code
    return params


@router.get("/administrative/network-organisation-relationship")
async def relationship_report(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Enter the start and end date, optionally filter to a PCN or practice, and Run report."""
    query = dict(request.query_params)
    names = organisation_names(await gateway.organisations(user.session))
    scope = await organisations_in_scope(user, gateway)
    everything = {o["ods_code"]: o for o in await gateway.organisations(user.session)}
    filters = [{"value": "", "text": "All PCNs and practices"}] + [
        {
            "value": f"{FILTER_KINDS[everything[c]['kind']]}:{c}",
            "text": f"{everything[c]['kind']}: {c} {names[c]}",
        }
        for c in sorted(scope, key=lambda c: (everything.get(c, {}).get("kind", ""), c))
        if everything.get(c, {}).get("kind") in FILTER_KINDS
    ]
    errors: dict[str, str] = {}
    lines: list[dict[str, Any]] | None = None
    params: dict[str, str] = {}
    if "run" in query:
        params = _params(query, errors)
        if not errors:
            try:
                lines = await gateway.relationship_report(user.session, params)
            except ApiProblem as problem:
                errors = problem_errors(
                    problem, {"start": "start", "end": "end", "pcn": "filter", "practice": "filter"}, "start"
                )
    return render(
        request,
        "report_relationships.jinja",
        {
            "title": "Network organisation relationship",
            "query": query,
            "filters": filters,
            "lines": lines,
            "csv": f"{REPORT}/csv?" + "&".join(f"{k}={v}" for k, v in params.items()),
            "field_errors": errors,
            "errors": error_list(
                {(f"{k}-day" if k in {"start", "end"} else k): v for k, v in errors.items()}
            ),
            "breadcrumbs": [*CRUMBS, {"text": "Administrative", "href": "/reports/administrative"}],
            "column": "nhsuk-grid-column-full",
        },
        status_code=400 if errors else 200,
    )


@router.get("/administrative/network-organisation-relationship/csv")
async def relationship_report_csv(
    user: UserDep,
    gateway: GatewayDep,
    start: dt.date,
    end: dt.date,
    pcn: str | None = None,
    practice: str | None = None,
) -> Response:
    """The report as the CSV file identity makes."""
    params = (
        {"start": str(start), "end": str(end)}
        | ({"pcn": pcn} if pcn else {})
        | ({"practice": practice} if practice else {})
    )
    answer = await gateway.relationship_report_csv(user.session, params)
    return Response(
        answer.content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": answer.headers.get("content-disposition", "attachment")},
    )
