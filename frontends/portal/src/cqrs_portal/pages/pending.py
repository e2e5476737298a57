"""Pending Actions: registrations and access requests to review, approve or reject with a reason."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from cqrs_portal.gateway import ApiProblem, Credentials, Gateway
from cqrs_portal.web import GatewayDep, UserDep, error_list, problem_errors, redirect, render

router = APIRouter(prefix="/pending-actions")
CRUMBS = [{"text": "Home", "href": "/"}]
STATUS_COLOURS = {"Pending": "yellow", "Approved": "green", "Rejected": "red"}


@router.get("")
async def pending_actions(
    request: Request,
    user: UserDep,
    gateway: GatewayDep,
    sort: Literal["date", "status"] = "date",
    order: Literal["asc", "desc"] = "desc",
    status: Literal["", "Pending", "Approved", "Rejected"] = "Pending",
) -> Response:
    """The requests waiting at the organisations you administer, sortable by date or status."""
    lines = await gateway.pending_actions(user.session, sort=sort, order=order, status=status or None)
    return render(
        request,
        "pending.jinja",
        {
            "title": "Pending Actions",
            "lines": lines,
            "sort": sort,
            "order": order,
            "status": status,
            "colours": STATUS_COLOURS,
            "breadcrumbs": CRUMBS,
            "column": "nhsuk-grid-column-full",
        },
    )


async def _line(gateway: Gateway, creds: Credentials, request_id: str) -> dict[str, Any]:
    """One Pending Actions line (identity has no single-request read, so it is found in the list)."""
    lines = await gateway.pending_actions(creds, sort="date", order="desc", status=None)
    found = next((line for line in lines if line["request_id"] == request_id), None)
    if found is None:
        raise ApiProblem(404, "Not found", "There is no such request at the organisations you administer.")
    return found


def _review(
    request: Request, line: dict[str, Any], errors: dict[str, str], decision: str, reason: str
) -> Response:
    return render(
        request,
        "review.jinja",
        {
            "title": f"Review {line['first_name']} {line['last_name']}",
            "line": line,
            "decision": decision,
            "reason": reason,
            "field_errors": errors,
            "errors": error_list(errors),
            "colours": STATUS_COLOURS,
            "back": {"href": "/pending-actions", "text": "Back to Pending Actions"},
        },
        status_code=400 if errors else 200,
    )


@router.get("/{request_id}")
async def review(request: Request, request_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """Review User: who asked for what, and the Approve or Reject choice."""
    return _review(request, await _line(gateway, user.session, request_id), {}, "", "")


@router.post("/{request_id}")
async def decide(
    request: Request,
    request_id: str,
    user: UserDep,
    gateway: GatewayDep,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Confirm: approve (the person is emailed a link) or reject with a reason (emailed to them)."""
    line = await _line(gateway, user.session, request_id)
    errors: dict[str, str] = {}
    if decision not in {"approve", "reject"}:
        errors["decision"] = "Select whether to approve or reject this request"
    elif decision == "reject" and not reason.strip():
        errors["reason"] = "Enter a reason for rejecting the request"
    if not errors:
        try:
            await gateway.decide_request(
                user.session, line, approve=decision == "approve", reason=reason.strip() or None
            )
        except ApiProblem as problem:
            errors = problem_errors(problem, {"reason": "reason"}, "decision")
    if errors:
        return _review(request, line, errors, decision, reason)
    name = f"{line['first_name']} {line['last_name']}"
    user.session.say(
        f"{name}'s request has been approved. They will be emailed a link to complete their registration."
        if decision == "approve" and line["kind"] == "Registration"
        else f"{name}'s request has been {'approved' if decision == 'approve' else 'rejected'}. "
        "They will be emailed."
    )
    return redirect("/pending-actions")
