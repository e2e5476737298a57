"""Participation Management › My Services (the provider's view): the services offered to the
providers you manage, an offer's details with its QOF domains, and accept or reject of the selected
after a confirmation."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.gateway import ApiProblem
from cqrs_portal.pages.participation import (
    HOME,
    PARTICIPATION,
    STATUS_COLOURS,
    current_year,
    financial_years,
    status_items,
    tabs,
)
from cqrs_portal.web import GatewayDep, User, UserDep, error_list, redirect, render

router = APIRouter(prefix="/participation/my-services")
BASE = "/participation/my-services"
MINE = {"text": "My Services", "href": BASE}
ANSWER = "answer-offers"
VERBS = {"accept": "accepted", "reject": "rejected"}
Status = Literal["", "Offered", "Approved", "Rejected", "Cancelled"]


async def _list(
    request: Request, user: User, gateway: GatewayDep, year: str, status: str, errors: dict[str, str]
) -> Response:
    found = (await gateway.my_services(user.session, year, status or None))["items"]
    return render(
        request,
        "my_services.jinja",
        {
            "title": "My Services",
            "offers": found,
            "tabs": tabs(user, "My Services"),
            "status_items": status_items(),
            "status": status,
            "colours": STATUS_COLOURS,
            "year_items": [{"value": y, "text": y} for y in financial_years()],
            "financial_year": year,
            "column": "nhsuk-grid-column-full",
            "breadcrumbs": [HOME, PARTICIPATION, MINE],
            "field_errors": errors,
            "errors": error_list(errors),
        },
        status_code=400 if errors else 200,
    )


@router.get("")
async def my_services(
    request: Request, user: UserDep, gateway: GatewayDep, financial_year: str = "", status: Status = ""
) -> Response:
    """The Quality Services offered to you in a financial year (this one by default)."""
    return await _list(request, user, gateway, financial_year or current_year(), status, {})


@router.post("")
async def choose(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Accept Service or Reject Service: the selected offers go to the confirmation."""
    form = await request.form()
    action = str(form.get("action") or "")
    offers = [str(v) for v in form.getlist("offers")]
    if action not in VERBS:
        return redirect(BASE)
    if not offers:
        errors = {"offers": "Select the Quality Service you wish to accept or reject"}
        return await _list(request, user, gateway, current_year(), "", errors)
    user.session.draft(ANSWER).update(action=action, offers=offers)
    return redirect(f"{BASE}/confirm")


@router.get("/confirm")
async def confirm_page(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Are you sure you wish to accept (or reject) the selected service?"""
    draft = user.session.draft(ANSWER)
    if draft.get("action") not in VERBS:
        return redirect(BASE)
    chosen = [(await gateway.offer(user.session, offer_id))["offer"] for offer_id in draft["offers"]]
    return render(
        request,
        "my_services_confirm.jinja",
        {
            "title": f"Confirm: {draft['action']} the Quality Service",
            "action": draft["action"],
            "offers": chosen,
            "back": {"href": BASE},
        },
    )


@router.post("/confirm")
async def answer(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Yes accepts (it becomes Approved) or rejects (the commissioner gets a message); No goes back."""
    draft = user.session.draft(ANSWER)
    user.session.drop_draft(ANSWER)
    form = await request.form()
    action = draft.get("action")
    if form.get("answer") != "yes" or action not in VERBS:
        return redirect(BASE)
    reason = str(form.get("reason") or "").strip() or None
    for offer_id in draft["offers"]:
        try:
            done = await gateway.answer_offer(
                user.session, offer_id, accept=action == "accept", reason=reason
            )
        except ApiProblem as problem:
            user.session.say(f"Not {VERBS[action]}: {problem.detail}")
        else:
            user.session.say(
                f"You have successfully {VERBS[action]} the Quality Service {done['service_name']}."
            )
    return redirect(BASE)


@router.get("/{offer_id}")
async def details(request: Request, offer_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """The offer's details: dates, commissioner, and for QOF the domains with their indicators."""
    found = await gateway.offer(user.session, offer_id)
    return render(
        request,
        "my_service.jinja",
        {
            "title": found["offer"]["service_name"],
            "found": found,
            "offer": found["offer"],
            "service": found["service"],
            "colours": STATUS_COLOURS,
            "tabs": tabs(user, "My Services"),
            "column": "nhsuk-grid-column-full",
            "breadcrumbs": [
                HOME,
                PARTICIPATION,
                MINE,
                {"text": found["offer"]["service_name"], "href": request.url.path},
            ],
        },
    )
