"""Participation Management, CQRS Local: a provider requests a service (Service Management), both
sides see the Service Requests, and a commissioner reissues a Rejected or Cancelled offer with new
dates (the provider gets a task to answer it again)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.gateway import ApiProblem, Gateway
from cqrs_portal.pages import offers_create
from cqrs_portal.pages.participation import HOME, PARTICIPATION, current_year, tabs
from cqrs_portal.web import SERVICE_MANAGERS, GatewayDep, User, UserDep, error_list, redirect, render

router = APIRouter(prefix="/participation")
REQUESTS = {"text": "Service Requests", "href": "/participation/service-requests"}
REQUEST = "/participation/request-service"
OFFERED = "/participation/offered-services"
DATE_FIELDS = (
    ("service_start", "Service start date"),
    ("service_end", "Service end date"),
    ("response_date", "Response date"),
    ("target_date", "Target date (optional)"),
)


def _known(problem: ApiProblem, fields: set[str], default: str) -> dict[str, str]:
    found = {e.field.split(".")[-1]: e.message for e in problem.errors if e.field.split(".")[-1] in fields}
    return found or {default: problem.detail}


async def _services(user: User, gateway: Gateway) -> list[dict[str, Any]]:
    """Services to choose from: participation lists its catalogue to commissioners only, so a
    provider chooses from the services offered to them before and no longer live (Rejected or
    Cancelled), or types a Quality Service ID."""
    found = (await gateway.my_services(user.session, current_year(), None))["items"]
    live = {o["quality_service_id"] for o in found if o["status"] in {"Offered", "Approved"}}
    chosen: dict[str, dict[str, Any]] = {}
    for o in found:
        if o["quality_service_id"] not in live:
            chosen.setdefault(
                o["quality_service_id"],
                {
                    "quality_service_id": o["quality_service_id"],
                    "service_name": o["service_name"],
                    "about": f"{o['payment_type']}, {o['financial_year']}, {o['status'].lower()} "
                    f"offer from {o['commissioner_organisation_id']}",
                },
            )
    return list(chosen.values())


async def _request_form(
    request: Request, user: User, gateway: Gateway, values: dict[str, str], errors: dict[str, str]
) -> Response:
    providers = user.organisations_with(SERVICE_MANAGERS)
    services = await _services(user, gateway)
    return render(
        request,
        "request_service.jinja",
        {
            "title": "Request a Service",
            "provider_items": [{"value": p, "text": p} for p in providers],
            "service_items": [
                {
                    "value": s["quality_service_id"],
                    "text": s["service_name"],
                    "hint": {"text": s["about"]},
                    "checked": s["quality_service_id"] == values.get("quality_service_id"),
                }
                for s in services
            ],
            "values": values,
            "tabs": tabs(user, "My Services"),
            "breadcrumbs": [HOME, PARTICIPATION, {"text": "Request a Service", "href": REQUEST}],
            "field_errors": errors,
            "errors": error_list(errors),
        },
        status_code=400 if errors else 200,
    )


@router.get("/request-service")
async def request_page(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Request a Service: the provider, the Quality Service and a note for the commissioner."""
    return await _request_form(request, user, gateway, {}, {})


@router.post("/request-service")
async def send_request(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Send the request to the service's Commissioning Organisation."""
    form = await request.form()
    fields = ("provider_organisation_id", "quality_service_id", "other_service", "note")
    values = {k: str(form.get(k) or "").strip() for k in fields}
    if not values["quality_service_id"] and values["other_service"]:
        values["quality_service_id"] = values["other_service"]
    providers = user.organisations_with(SERVICE_MANAGERS)
    if len(providers) == 1 and not values["provider_organisation_id"]:
        values["provider_organisation_id"] = providers[0]
    errors: dict[str, str] = {}
    if values["provider_organisation_id"] not in providers:
        errors["provider_organisation_id"] = "Select the Service Provider the service is for"
    if not values["quality_service_id"]:
        errors["quality_service_id"] = "Select the Quality Service you wish to request, or enter its ID"
    if len(values["note"]) > 1000:
        errors["note"] = "The note must be 1000 characters or fewer"
    if not errors:
        try:
            sent = await gateway.request_service(
                user.session,
                values["provider_organisation_id"],
                values["quality_service_id"],
                values["note"] or None,
            )
        except ApiProblem as problem:
            if problem.status >= 500:
                raise
            errors = _known(
                problem, {"provider_organisation_id", "quality_service_id", "note"}, "quality_service_id"
            )
            if values["other_service"] and "quality_service_id" in errors:
                errors["other_service"] = errors.pop("quality_service_id")
        else:
            user.session.say(
                f"Your request for {sent['service_name']} has been sent to "
                f"{sent['commissioner_organisation_id']}."
            )
            return redirect(REQUESTS["href"])
    return await _request_form(request, user, gateway, values, errors)


@router.get("/service-requests")
async def service_requests(
    request: Request, user: UserDep, gateway: GatewayDep, status: Literal["", "Requested", "Offered"] = ""
) -> Response:
    """Requests made by the providers you manage, or to the commissioners you act for."""
    found = (await gateway.service_requests(user.session, status or None))["items"]
    return render(
        request,
        "service_requests.jinja",
        {
            "title": "Service Requests",
            "requests": found,
            "status": status,
            "status_items": [{"value": v, "text": v or "All"} for v in ("", "Requested", "Offered")],
            "tabs": tabs(user, "Service Requests"),
            "column": "nhsuk-grid-column-full",
            "breadcrumbs": [HOME, PARTICIPATION, REQUESTS],
        },
    )


@router.post("/service-requests/{request_id}/offer")
async def offer_requested(request: Request, request_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """Offer this service: Create Offers starts with the requested service chosen, and making the
    offer answers the request (it shows Offered on both sides)."""
    found = (await gateway.service_requests(user.session, "Requested"))["items"]
    asked = next((r for r in found if r["request_id"] == request_id), None)
    if asked is None:
        user.session.say("That Service Request has already been answered")
        return redirect("/participation/service-requests")
    saved = user.session.draft(offers_create.DRAFT)
    started = await gateway.start_offer(
        user.session, asked["commissioner_organisation_id"], asked["quality_service_id"], request_id
    )
    saved["draft_id"] = started["draft_id"]
    user.session.say(
        f"Offering {asked['service_name']} as {asked['provider_organisation_id']} requested: "
        f"choose {asked['provider_organisation_id']} in step 3"
    )
    return redirect(f"{offers_create.BASE}/details")


async def _reissue_form(
    request: Request, user: User, offer: dict[str, Any], values: dict[str, str], errors: dict[str, str]
) -> Response:
    return render(
        request,
        "reissue.jinja",
        {
            "title": f"Reissue {offer['service_name']}",
            "offer": offer,
            "values": values,
            "date_fields": DATE_FIELDS,
            "back": {"href": f"{OFFERED}/{offer['quality_service_id']}?status={offer['status']}"},
            "field_errors": errors,
            "errors": error_list(errors),
        },
        status_code=400 if errors else 200,
    )


@router.get("/offers/{offer_id}/reissue")
async def reissue_page(request: Request, offer_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """Reissue an offer: new service, response and target dates (the old ones to start with)."""
    offer = (await gateway.offer(user.session, offer_id))["offer"]
    values = {name: str(offer.get(name) or "") for name, _ in DATE_FIELDS}
    return await _reissue_form(request, user, offer, values, {})


@router.post("/offers/{offer_id}/reissue")
async def reissue(request: Request, offer_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """Reissue: the offer is Offered again and the provider gets a task to answer it."""
    offer = (await gateway.offer(user.session, offer_id))["offer"]
    form = await request.form()
    values = {name: str(form.get(name) or "").strip() for name, _ in DATE_FIELDS}
    errors = {name: f"Enter the {label.lower()}" for name, label in DATE_FIELDS[:3] if not values[name]}
    if not errors:
        try:
            await gateway.reissue_offer(user.session, offer_id, {k: v for k, v in values.items() if v})
        except ApiProblem as problem:
            if problem.status >= 500:
                raise
            errors = _known(problem, {name for name, _ in DATE_FIELDS}, "service_start")
        else:
            user.session.say(
                f"You have successfully reissued {offer['service_name']} "
                f"to {offer['provider_organisation_id']}."
            )
            return redirect(f"{OFFERED}/{offer['quality_service_id']}?status=Offered")
    return await _reissue_form(request, user, offer, values, errors)
