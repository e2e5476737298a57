"""Participation Management › Offered Services (the commissioner's view): services offered in a
financial year, a service's providers by status, a provider's offers, and withdraw or cancel of the
selected providers after a confirmation."""

from __future__ import annotations

from typing import Any, Literal

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

router = APIRouter(prefix="/participation")
BASE = "/participation/offered-services"
OFFERED = {"text": "Offered Services", "href": BASE}
ACTIONS = {
    "withdraw": ("Withdraw Service", "withdraw", "withdrawn"),
    "cancel": ("Cancel Service", "cancel", "cancelled"),
}
Status = Literal["", "Offered", "Approved", "Rejected", "Cancelled"]


def _common(user: User, status: str, year: str) -> dict[str, Any]:
    return {
        "tabs": tabs(user, "Offered Services"),
        "status_items": status_items(),
        "status": status,
        "colours": STATUS_COLOURS,
        "year_items": [{"value": y, "text": y} for y in financial_years()],
        "financial_year": year,
        "column": "nhsuk-grid-column-full",
    }


@router.get("/offered-services")
async def offered_services(
    request: Request, user: UserDep, gateway: GatewayDep, financial_year: str = ""
) -> Response:
    """Services offered in the chosen financial year (this one by default), with counts by status."""
    year = financial_year or current_year()
    found = await gateway.offered_services(user.session, year)
    return render(
        request,
        "offered_services.jinja",
        {
            "title": "Offered Services",
            "services": found["items"],
            "breadcrumbs": [HOME, PARTICIPATION, OFFERED],
            **_common(user, "", year),
        },
    )


@router.get("/offered-services/{quality_service_id}")
async def offered_service(
    request: Request,
    quality_service_id: str,
    user: UserDep,
    gateway: GatewayDep,
    status: Status = "",
) -> Response:
    """A service's Associated Service Providers, filtered by status, with checkboxes to withdraw
    (Offered) or cancel (Approved, Rejected) the selected."""
    return await _service_page(request, quality_service_id, user, gateway, status, {})


async def _service_page(
    request: Request,
    quality_service_id: str,
    user: User,
    gateway: GatewayDep,
    status: str,
    errors: dict[str, str],
) -> Response:
    every = (await gateway.service_providers(user.session, quality_service_id, None))["items"]
    shown = [o for o in every if not status or o["status"] == status]
    name = every[0]["service_name"] if every else quality_service_id
    return render(
        request,
        "offered_service.jinja",
        {
            "title": name,
            "service_name": name,
            "quality_service_id": quality_service_id,
            "offers": shown,
            "field_errors": errors,
            "errors": error_list(errors),
            "breadcrumbs": [HOME, PARTICIPATION, OFFERED, {"text": name, "href": request.url.path}],
            **_common(user, status, ""),
        },
        status_code=400 if errors else 200,
    )


@router.post("/offered-services/{quality_service_id}")
async def choose_to_end(
    request: Request, quality_service_id: str, user: UserDep, gateway: GatewayDep, status: Status = ""
) -> Response:
    """Withdraw Service or Cancel Service: the selected providers go to the confirmation."""
    form = await request.form()
    action = str(form.get("action") or "")
    providers = [str(v) for v in form.getlist("providers")]
    if action not in ACTIONS:
        return redirect(request.url.path)
    if not providers:
        errors = {"providers": "Select at least one Service Provider"}
        return await _service_page(request, quality_service_id, user, gateway, status, errors)
    draft = user.session.draft(f"end-{quality_service_id}")
    draft.update(action=action, providers=providers, status=status)
    return redirect(f"{BASE}/{quality_service_id}/confirm")


@router.get("/offered-services/{quality_service_id}/confirm")
async def confirm_end(
    request: Request, quality_service_id: str, user: UserDep, gateway: GatewayDep
) -> Response:
    """Are you sure you want to withdraw (or cancel) the Quality Service for these providers?"""
    draft = user.session.draft(f"end-{quality_service_id}")
    if draft.get("action") not in ACTIONS:
        return redirect(f"{BASE}/{quality_service_id}")
    every = (await gateway.service_providers(user.session, quality_service_id, None))["items"]
    names = {o["provider_organisation_id"]: o["provider_name"] for o in every}
    verb = ACTIONS[draft["action"]][1]
    return render(
        request,
        "offered_confirm.jinja",
        {
            "title": f"Confirm: {verb} the Quality Service",
            "verb": verb,
            "service_name": every[0]["service_name"] if every else quality_service_id,
            "providers": [(p, names.get(p, "")) for p in draft["providers"]],
            "back": {"href": f"{BASE}/{quality_service_id}?status={draft.get('status', '')}"},
        },
    )


@router.post("/offered-services/{quality_service_id}/confirm")
async def end(request: Request, quality_service_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """Yes: withdraw or cancel (the providers are told by a message); No: back to the list."""
    draft = user.session.draft(f"end-{quality_service_id}")
    user.session.drop_draft(f"end-{quality_service_id}")
    back = f"{BASE}/{quality_service_id}?status={draft.get('status', '')}"
    if (await request.form()).get("answer") != "yes" or draft.get("action") not in ACTIONS:
        return redirect(back)
    _, verb, done = ACTIONS[draft["action"]]
    try:
        results = await gateway.end_offers(user.session, quality_service_id, verb, draft["providers"])
    except ApiProblem as problem:
        return await _service_page(
            request, quality_service_id, user, gateway, draft.get("status", ""), {"providers": problem.detail}
        )
    ended = [r["provider_organisation_id"] for r in results if r["outcome"] == done]
    if ended:
        user.session.say(f"You have successfully {done} the Quality Service for {', '.join(ended)}.")
    for refused in (r for r in results if r["outcome"] != done):
        user.session.say(f"{refused['provider_organisation_id']}: {refused['message'] or refused['outcome']}")
    return redirect(f"{BASE}/{quality_service_id}?status=Cancelled")


@router.get("/providers/{provider}")
async def provider(
    request: Request,
    provider: str,
    user: UserDep,
    gateway: GatewayDep,
    status: Status = "",
    financial_year: str = "",
) -> Response:
    """Every Quality Service offered to one Service Provider, filtered by status."""
    year = financial_year or current_year()
    found = (await gateway.provider_offers(user.session, provider, year, status or None))["items"]
    name = found[0]["provider_name"] if found else provider
    return render(
        request,
        "provider_offers.jinja",
        {
            "title": f"{name} ({provider})",
            "provider": provider,
            "provider_name": name,
            "offers": found,
            "breadcrumbs": [HOME, PARTICIPATION, OFFERED, {"text": name, "href": request.url.path}],
            **_common(user, status, year),
        },
    )
