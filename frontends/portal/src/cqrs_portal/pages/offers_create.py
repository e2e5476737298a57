"""Participation Management › Create Offers: the five steps of the guide, each with the step
indicator and a Back link; the draft lives in participation, its id in the session."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.gateway import ApiProblem
from cqrs_portal.pages.participation import HOME, PARTICIPATION, tabs
from cqrs_portal.web import (
    COMMISSIONERS,
    GatewayDep,
    User,
    UserDep,
    error_list,
    problem_errors,
    redirect,
    render,
)

router = APIRouter(prefix="/participation/create-offers")
BASE = "/participation/create-offers"
DRAFT = "offer"
STEPS = (
    ("Select the Quality Service", ""),
    ("Define Quality Service Details", "/details"),
    ("Choose Service Provider(s)", "/providers"),
    ("Review Offer", "/review"),
    ("Confirm Offer", "/confirm"),
)
DATE_FIELDS = ("service_start", "service_end", "response_date", "target_date")


def _page(
    request: Request,
    user: User,
    template: str,
    step: int,
    reached: int,
    context: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> Response:
    errors = errors or {}
    steps = [
        {"number": n, "text": text, "href": BASE + path, "current": n == step, "link": n <= reached + 1}
        for n, (text, path) in enumerate(STEPS, start=1)
    ]
    back = {"href": BASE + STEPS[step - 2][1], "text": "Back"} if step > 1 else None
    return render(
        request,
        template,
        {
            "title": f"Step {step} of 5: {STEPS[step - 1][0]}",
            "steps": steps,
            "step": step,
            "tabs": tabs(user, "Create Offers"),
            "field_errors": errors,
            "errors": error_list(errors),
            **(
                {"back": back}
                if back
                else {"breadcrumbs": [HOME, PARTICIPATION, {"text": "Create Offers", "href": BASE}]}
            ),
            **context,
        },
        status_code=400 if errors else 200,
    )


async def _draft(user: User, gateway: GatewayDep) -> dict[str, Any] | None:
    draft_id = user.session.draft(DRAFT).get("draft_id")
    return await gateway.offer_draft(user.session, draft_id) if draft_id else None


@router.get("")
async def select_service(
    request: Request, user: UserDep, gateway: GatewayDep, payment_type: str = ""
) -> Response:
    """Step 1: the Quality Services commissioning panel, filtered by Payment Type."""
    return await _step1(request, user, gateway, payment_type, {})


async def _step1(
    request: Request, user: User, gateway: GatewayDep, payment_type: str, errors: dict[str, str]
) -> Response:
    services = (await gateway.quality_services(user.session))["items"]
    types = sorted({s["payment_type"] for s in services})
    shown = [s for s in services if not payment_type or s["payment_type"] == payment_type]
    draft = await _draft(user, gateway)
    return _page(
        request,
        user,
        "offer_service.jinja",
        1,
        int(draft["step"]) if draft else 0,
        {
            "services": shown,
            "payment_type_items": [{"value": "", "text": "All payment types"}]
            + [{"value": t, "text": t} for t in types],
            "payment_type": payment_type,
            "draft": draft or {},
        },
        errors,
    )


@router.post("")
async def choose_service(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Continue: start the offer of the chosen service (or change the service of this one)."""
    form = await request.form()
    chosen = str(form.get("quality_service_id") or "")
    payment_type = str(form.get("payment_type") or "")
    if not chosen:
        return await _step1(
            request, user, gateway, payment_type, {"quality_service_id": "Select a Quality Service"}
        )
    saved = user.session.draft(DRAFT)
    try:
        if saved.get("draft_id"):
            await gateway.choose_offer_service(user.session, saved["draft_id"], chosen)
        else:
            commissioner = user.organisations_with(COMMISSIONERS)[0]
            saved["draft_id"] = (await gateway.start_offer(user.session, commissioner, chosen))["draft_id"]
    except ApiProblem as problem:
        errors = problem_errors(problem, {"quality_service_id": "quality_service_id"}, "quality_service_id")
        return await _step1(request, user, gateway, payment_type, errors)
    return redirect(f"{BASE}/details")


@router.get("/details")
async def details(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Step 2: service start, end, response and target dates (the service's own period to start)."""
    draft = await _draft(user, gateway)
    if draft is None:
        return redirect(BASE)
    dates = await gateway.offer_dates(user.session, draft["draft_id"])
    return _page(
        request, user, "offer_details.jinja", 2, int(draft["step"]), {"draft": draft, "dates": dates}
    )


@router.post("/details")
async def set_details(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Continue: save the dates (they must lie within the original service's start and end)."""
    draft = await _draft(user, gateway)
    if draft is None:
        return redirect(BASE)
    form = await request.form()
    dates = {name: str(form.get(name) or "").strip() for name in DATE_FIELDS}
    errors = {
        name: f"Enter the {label}"
        for name, label in (
            ("service_start", "service start date"),
            ("service_end", "service end date"),
            ("response_date", "response date"),
        )
        if not dates[name]
    }
    if not errors:
        body = {k: v for k, v in dates.items() if v}
        try:
            await gateway.set_offer_dates(user.session, draft["draft_id"], body)
        except ApiProblem as problem:
            errors = problem_errors(problem, {f: f for f in DATE_FIELDS}, "service_start")
    if errors:
        return _page(
            request,
            user,
            "offer_details.jinja",
            2,
            int(draft["step"]),
            {"draft": draft, "dates": dates},
            errors,
        )
    return redirect(f"{BASE}/providers")


@router.get("/providers")
async def providers(request: Request, user: UserDep, gateway: GatewayDep, q: str = "") -> Response:
    """Step 3: the Service Providers you may offer to, searchable, with Select All."""
    draft = await _draft(user, gateway)
    if draft is None:
        return redirect(BASE)
    return await _step3(request, user, gateway, draft, q, {})


async def _step3(
    request: Request, user: User, gateway: GatewayDep, draft: dict[str, Any], q: str, errors: dict[str, str]
) -> Response:
    found = (await gateway.offer_candidates(user.session, draft["draft_id"], q or None))["items"]
    return _page(
        request,
        user,
        "offer_providers.jinja",
        3,
        int(draft["step"]),
        {"draft": draft, "candidates": found, "q": q},
        errors,
    )


@router.post("/providers")
async def choose_providers(request: Request, user: UserDep, gateway: GatewayDep, q: str = "") -> Response:
    """Save & Continue: the providers ticked (Select All takes every one you may offer to)."""
    draft = await _draft(user, gateway)
    if draft is None:
        return redirect(BASE)
    form = await request.form()
    chosen = [str(v) for v in form.getlist("providers")]
    select_all = form.get("select_all") == "yes"
    if not chosen and not select_all:
        return await _step3(
            request, user, gateway, draft, q, {"providers": "Select at least one Service Provider"}
        )
    try:
        await gateway.choose_offer_providers(user.session, draft["draft_id"], chosen, select_all=select_all)
    except ApiProblem as problem:
        return await _step3(request, user, gateway, draft, q, problem_errors(problem, {}, "providers"))
    return redirect(f"{BASE}/review")


@router.get("/review")
async def review(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Step 4: the offer's details, dates and Service Providers to check before Submit."""
    draft = await _draft(user, gateway)
    if draft is None:
        return redirect(BASE)
    return _page(request, user, "offer_review.jinja", 4, int(draft["step"]), {"draft": draft})


@router.post("/review")
async def submit(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Submit: the offer was checked; the confirmation follows."""
    draft = await _draft(user, gateway)
    if draft is None:
        return redirect(BASE)
    try:
        await gateway.submit_offer(user.session, draft["draft_id"])
    except ApiProblem as problem:
        errors = problem_errors(problem, {}, "submit")
        return _page(request, user, "offer_review.jinja", 4, int(draft["step"]), {"draft": draft}, errors)
    return redirect(f"{BASE}/confirm")


@router.get("/confirm")
async def confirm_page(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Step 5: are you sure you wish to make the offer?"""
    draft = await _draft(user, gateway)
    if draft is None:
        return redirect(BASE)
    return _page(request, user, "offer_confirm.jinja", 5, int(draft["step"]), {"draft": draft})


@router.post("/confirm")
async def confirm(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Yes makes the offer to every provider chosen; No goes back to the review."""
    draft = await _draft(user, gateway)
    if draft is None:
        return redirect(BASE)
    if (await request.form()).get("answer") != "yes":
        return redirect(f"{BASE}/review")
    try:
        done = await gateway.confirm_offer(user.session, draft["draft_id"])
    except ApiProblem as problem:
        errors = problem_errors(problem, {}, "answer")
        return _page(request, user, "offer_confirm.jinja", 5, int(draft["step"]), {"draft": draft}, errors)
    user.session.drop_draft(DRAFT)
    return render(
        request,
        "offer_made.jinja",
        {
            "title": "Offer made",
            "done": done,
            "tabs": tabs(user, "Create Offers"),
            "breadcrumbs": [HOME, PARTICIPATION, {"text": "Create Offers", "href": BASE}],
        },
    )
