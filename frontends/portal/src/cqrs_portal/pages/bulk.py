"""Bulk claims (CQRS Local, Tier 1 commissioners): download a service's workbook, pre-filled with a
row per provider and component; upload it filled in. Every wrong cell comes back by row, column and
header and nothing is claimed; otherwise each provider's rows become one claim, submitted on its
behalf, that another Tier 1 approver and then Tier 2 review."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile as StarletteUpload

from cqrs_portal.gateway import ApiProblem
from cqrs_portal.web import GatewayDep, User, UserDep, render

router = APIRouter(prefix="/claims/bulk")
#: Who uploads bulk claims (as claims decides).
UPLOADERS = {"Local Approver Tier 1"}
HOME = {"text": "Home", "href": "/"}
CLAIMS = {"text": "Claims", "href": "/claims"}
BULK = {"text": "Bulk claims", "href": "/claims/bulk"}
#: Which box a refusal's field belongs to.
FIELDS = {
    "quality_service_id": "quality_service_id",
    "commissioner_organisation_id": "commissioner",
    "file": "file",
}
#: The download form's boxes (the upload form has the plain names).
TEMPLATE_FIELDS = {"quality_service_id": "template-service"}
#: The most wrong cells listed in the error summary (the table below it lists every one).
SUMMARY_CELLS = 10
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(
    request: Request,
    user: User,
    choice: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    cells: list[dict[str, Any]] | None = None,
    made: list[dict[str, Any]] | None = None,
) -> Response:
    summary = [{"text": text, "href": f"#{name}"} for name, text in (errors or {}).items()]
    summary += [
        {
            "text": f"Row {c['row']}, column {c['column'] or '?'} ({c['header']}): {c['message']}",
            "href": "#file",
        }
        for c in (cells or [])[:SUMMARY_CELLS]
    ]
    if cells and len(cells) > SUMMARY_CELLS:
        summary.append(
            {"text": f"and {len(cells) - SUMMARY_CELLS} more cells: see the table", "href": "#cells"}
        )
    return render(
        request,
        "bulk_claims.jinja",
        {
            "title": "Bulk claims",
            "commissioners": user.organisations_with(UPLOADERS),
            "choice": choice,
            "errors": summary,
            "field_errors": errors or {},
            "cells": cells or [],
            "made": made,
            "column": "nhsuk-grid-column-full",
            "breadcrumbs": [HOME, CLAIMS, BULK],
        },
        status_code=400 if summary else 200,
    )


def _choice(user: User, values: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The commissioner (one the user approves for at Tier 1) and service chosen, and what is missing."""
    mine = user.organisations_with(UPLOADERS)
    commissioner = str(values.get("commissioner") or "")
    choice = {
        "commissioner": commissioner if commissioner in mine else (mine[0] if mine else ""),
        "quality_service_id": str(values.get("quality_service_id") or "").strip(),
    }
    errors = {}
    if not choice["commissioner"]:
        errors["commissioner"] = "You do not approve claims at Tier 1 for any commissioner"
    if not choice["quality_service_id"]:
        errors["quality_service_id"] = "Enter the Quality Service ID of the service to claim for"
    return choice, errors


def _refused(problem: ApiProblem) -> dict[str, str]:
    """A refusal as the page's box errors: the field the service named, else the file box."""
    found = {FIELDS[e.field]: e.message for e in problem.errors if e.field in FIELDS}
    return found or {"file": problem.detail}


@router.get("")
async def bulk_page(request: Request, user: UserDep) -> Response:
    """Bulk claims: choose the service, download its template, upload it filled in."""
    choice, _ = _choice(user, request.query_params)
    return _page(request, user, choice)


@router.get("/template")
async def template(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """The service's pre-filled workbook, as claims writes it."""
    choice, errors = _choice(user, request.query_params)
    if errors:
        return _page(request, user, choice, errors={TEMPLATE_FIELDS.get(k, k): v for k, v in errors.items()})
    try:
        found = await gateway.bulk_template(
            user.session, choice["commissioner"], choice["quality_service_id"]
        )
    except ApiProblem as problem:
        message = problem.field_message("commissioner_organisation_id") or problem.detail
        return _page(request, user, choice, errors={"template-service": message})
    disposition = found.headers.get("content-disposition", 'attachment; filename="bulk-claims.xlsx"')
    return Response(found.content, media_type=XLSX, headers={"Content-Disposition": disposition})


@router.post("")
async def upload(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Upload a filled-in workbook: the claims made, or every wrong cell (nothing claimed)."""
    form = await request.form()
    choice, errors = _choice(user, form)
    file = form.get("file")
    if not isinstance(file, StarletteUpload) or not file.filename:
        errors["file"] = "Choose the filled-in workbook to upload"
    if errors:
        return _page(request, user, choice, errors=errors)
    assert isinstance(file, StarletteUpload)
    content = await file.read()
    try:
        done = await gateway.bulk_upload(
            user.session,
            choice["commissioner"],
            choice["quality_service_id"],
            (file.filename or "bulk-claims.xlsx", content, file.content_type or XLSX),
        )
    except ApiProblem as problem:
        cells = [e for e in problem.raw_errors if "row" in e]
        if cells:
            count = f"{len(cells)} cell{'' if len(cells) == 1 else 's'}"
            message = f"The workbook has {count} to put right: nothing was claimed"
            return _page(request, user, choice, errors={"file": message}, cells=cells)
        return _page(request, user, choice, errors=_refused(problem))
    return _page(request, user, choice, made=done["claims"])
