"""Achievement › Declaration Management: declarations filtered by status and Quality Service, tick
one, several or Select All, then Declare (the provider, or a PCN's nominated person) or Approve
(Approval Management, then Finance Management for finance approval) after a confirmation; one
declaration's figures, practice by practice."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.gateway import ApiProblem, Gateway
from cqrs_portal.web import GatewayDep, User, UserDep, error_list, redirect, render

router = APIRouter(prefix="/achievement")
HOME = {"text": "Home", "href": "/"}
ACHIEVEMENT = {"text": "Achievement", "href": "/achievement"}
BASE = "/achievement/declaration-management"
MANAGEMENT = {"text": "Declaration Management", "href": BASE}
DRAFT = "declarations"

AWAITING_PROVIDER = "Awaiting Service Provider Approval"
AWAITING_COMMISSIONER = "Awaiting Commissioning Organisation Approval"
AWAITING_FINANCE = "Awaiting Finance Approval"
APPROVED = "Approved for Payment"
STATUSES = (AWAITING_PROVIDER, AWAITING_COMMISSIONER, AWAITING_FINANCE, APPROVED)
COLOURS = {
    AWAITING_PROVIDER: "blue",
    AWAITING_COMMISSIONER: "yellow",
    AWAITING_FINANCE: "orange",
    APPROVED: "green",
}
Status = Literal[
    "",
    "Awaiting Service Provider Approval",
    "Awaiting Commissioning Organisation Approval",
    "Awaiting Finance Approval",
    "Approved for Payment",
]

DECLARERS = {"Declaration Management"}
APPROVERS = {"Approval Management", "Finance Management"}
#: Each action's words on the confirmation.
ACTIONS = {"declare": "declare", "approve": "approve"}


def actions_of(user: User) -> list[str]:
    """The buttons the user's roles give them: Declare for the provider's Declaration Management,
    Approve for the commissioner's Approval Management and Finance Management."""
    found = []
    if user.organisations_with(DECLARERS):
        found.append("declare")
    if user.organisations_with(APPROVERS):
        found.append("approve")
    return found


def _acts_on(user: User, action: str) -> set[str]:
    """The statuses Select All takes for an action: Approve takes those awaiting the commissioning
    organisation for Approval Management, and those awaiting finance for Finance Management."""
    if action == "declare":
        return {AWAITING_PROVIDER}
    found = set()
    if user.organisations_with({"Approval Management"}):
        found.add(AWAITING_COMMISSIONER)
    if user.organisations_with({"Finance Management"}):
        found.add(AWAITING_FINANCE)
    return found


def _action_for(user: User, status: str) -> str | None:
    """The button one declaration's page offers the user in its status, if any."""
    if status == AWAITING_PROVIDER and "declare" in actions_of(user):
        return "declare"
    if status in _acts_on(user, "approve"):
        return "approve"
    return None


def pounds(pence: int) -> str:
    """Pence as £1,234.56."""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def points(hundredths: int) -> str:
    """Points kept in hundredths, as 12.34."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"


async def _every(gateway: Gateway, user: User, status: str, service: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = await gateway.declarations(
            user.session, status=status or None, quality_service_id=service or None, offset=len(found)
        )
        found += page["items"]
        if not page["items"] or len(found) >= page["total"]:
            return found


def _filters(status: str, service: str) -> str:
    return f"?status={status}&quality_service_id={service}"


async def _list(
    request: Request, user: User, gateway: Gateway, status: str, service: str, errors: dict[str, str]
) -> Response:
    every = await _every(gateway, user, "", "")  # the Quality Service filter offers every service seen
    services = sorted({d["quality_service_id"] for d in every})
    shown = [
        d
        for d in every
        if (not status or d["status"] == status) and (not service or d["quality_service_id"] == service)
    ]
    return render(
        request,
        "declarations.jinja",
        {
            "title": "Declaration Management",
            "declarations": shown,
            "status": status,
            "quality_service_id": service,
            "status_items": [{"value": "", "text": "All"}] + [{"value": s, "text": s} for s in STATUSES],
            "service_items": [{"value": "", "text": "All"}] + [{"value": s, "text": s} for s in services],
            "colours": COLOURS,
            "actions": actions_of(user),
            "pounds": pounds,
            "points": points,
            "filters": _filters(status, service),
            "column": "nhsuk-grid-column-full",
            "breadcrumbs": [HOME, ACHIEVEMENT, MANAGEMENT],
            "field_errors": errors,
            "errors": error_list(errors),
        },
        status_code=400 if errors else 200,
    )


@router.get("")
async def achievement(request: Request, user: UserDep) -> Response:
    """The Achievement tab: its Declaration Management sub-tab."""
    return render(request, "achievement.jinja", {"title": "Achievement", "breadcrumbs": [HOME, ACHIEVEMENT]})


@router.get("/declaration-management")
async def declaration_management(
    request: Request, user: UserDep, gateway: GatewayDep, status: Status = "", quality_service_id: str = ""
) -> Response:
    """Declarations you may see, filtered by status and Quality Service."""
    return await _list(request, user, gateway, status, quality_service_id, {})


@router.post("/declaration-management")
async def choose(
    request: Request, user: UserDep, gateway: GatewayDep, status: Status = "", quality_service_id: str = ""
) -> Response:
    """Declare or Approve: the ticked declarations (or Select All) go to the confirmation."""
    form = await request.form()
    action = str(form.get("action") or "")
    if action not in actions_of(user):
        return redirect(BASE + _filters(status, quality_service_id))
    select_all = form.get("select_all") == "yes"
    chosen = [str(v) for v in form.getlist("declarations")]
    if select_all:
        acts_on = _acts_on(user, action)
        every = await _every(gateway, user, status, quality_service_id)
        chosen = [d["declaration_id"] for d in every if d["status"] in acts_on]
    if not chosen:
        verb = ACTIONS[action]
        errors = {"declarations": f"Select the Quality Service declarations you wish to {verb}"}
        if select_all:
            errors = {"declarations": f"There are no declarations to {verb} with these filters"}
        return await _list(request, user, gateway, status, quality_service_id, errors)
    user.session.draft(DRAFT).update(
        action=action, chosen=chosen, status=status, quality_service_id=quality_service_id
    )
    return redirect(f"{BASE}/confirm")


@router.get("/declaration-management/confirm")
async def confirm_page(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Are you sure you want to declare (or approve) the selected declarations?"""
    draft = user.session.draft(DRAFT)
    if draft.get("action") not in ACTIONS:
        return redirect(BASE)
    chosen = [await gateway.declaration(user.session, d) for d in draft["chosen"]]
    verb = ACTIONS[draft["action"]]
    return render(
        request,
        "declarations_confirm.jinja",
        {
            "title": f"{verb.capitalize()} the selected declarations?",
            "verb": verb,
            "declarations": chosen,
            "pounds": pounds,
            "points": points,
            "back": {"href": BASE + _filters(draft["status"], draft["quality_service_id"])},
        },
    )


@router.post("/declaration-management/confirm")
async def act(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Yes: declare or approve each (one refusal stops no other); No: back to the list."""
    draft = user.session.draft(DRAFT)
    user.session.drop_draft(DRAFT)
    back = BASE + _filters(draft.get("status", ""), draft.get("quality_service_id", ""))
    if (await request.form()).get("answer") != "yes" or draft.get("action") not in ACTIONS:
        return redirect(back)
    done, refused = await _carry_out(gateway, user, draft["action"], draft["chosen"])
    if done and draft["action"] == "declare":
        user.session.say(
            f"You have successfully declared the achievement and payment for {', '.join(done)}. "
            "The Commissioning Organisation has been asked to approve it."
        )
    elif done:
        user.session.say(f"The payment declaration has been successfully approved: {', '.join(done)}.")
    for message in refused:
        user.session.say(message)
    return redirect(back)


async def _carry_out(
    gateway: Gateway, user: User, action: str, chosen: list[str]
) -> tuple[list[str], list[str]]:
    done: list[str] = []
    refused: list[str] = []
    if action == "approve":
        try:
            results = (await gateway.approve_declarations(user.session, chosen))["results"]
        except ApiProblem as problem:
            return [], [f"Nothing was approved: {problem.detail}"]
        for r in results:
            if r["result"] == "approved":
                done.append(r["declaration_id"])
            else:
                refused.append(f"{r['declaration_id']} was not approved: {r.get('reason') or r['result']}")
        return done, refused
    for declaration_id in chosen:
        try:
            await gateway.declare(user.session, declaration_id)
            done.append(declaration_id)
        except ApiProblem as problem:
            refused.append(f"{declaration_id} was not declared: {problem.detail}")
    return done, refused


@router.get("/declarations/{declaration_id}")
async def declaration(request: Request, declaration_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """One declaration: status, points and payment, and the figures of each practice behind it."""
    found = await gateway.declaration(user.session, declaration_id)
    figures = await gateway.declaration_breakdown(user.session, declaration_id)
    return render(
        request,
        "declaration.jinja",
        {
            "title": f"{found['quality_service_id']}: {found['provider_organisation_id']}",
            "d": found,
            "breakdown": figures,
            "action": _action_for(user, found["status"]),
            "colours": COLOURS,
            "pounds": pounds,
            "points": points,
            "column": "nhsuk-grid-column-full",
            "breadcrumbs": [
                HOME,
                ACHIEVEMENT,
                MANAGEMENT,
                {"text": found["provider_organisation_id"], "href": request.url.path},
            ],
        },
    )
