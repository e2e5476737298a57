"""Claims (CQRS Local): the provider's claims page with +New Claim or the reason it is missing, the
claim with its services, components and claim panes (Add All, Add+, Remove All, Delete, units with
line totals, supplementary questions), Submit and its confirmation; the review queues."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.gateway import ApiProblem
from cqrs_portal.web import CLAIM_PREPARERS, GatewayDep, User, UserDep, redirect, render

router = APIRouter(prefix="/claims")
HOME = {"text": "Home", "href": "/"}
CLAIMS = {"text": "Claims", "href": "/claims"}
NO_NEW_CLAIM = {
    "window_not_open_yet": "The claim window has not yet opened.",
    "all_claimed": "You have submitted all your services claims and have no more claims to process.",
    "window_missed": "You have missed your claims window. Please contact your Primary Care Team.",
}
STEPS = {"Local Approver Tier 1": "Tier 1", "Local Approver Tier 2": "Tier 2", "Local Finance": "Finance"}


def _provider(user: User) -> str | None:
    found = user.organisations_with(CLAIM_PREPARERS)
    return found[0] if found else None


@router.get("")
async def claims_page(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Your Claims page: +New Claim (or why it is missing), your claims, or your review queues."""
    provider = _provider(user)
    context: dict[str, Any] = {
        "title": "Claims",
        "breadcrumbs": [HOME, CLAIMS],
        "column": "nhsuk-grid-column-full",
    }
    if provider:
        context |= {
            "provider": provider,
            "availability": (availability := await gateway.claim_availability(user.session, provider)),
            "starts": claim_starts(availability),
            "claims": (await gateway.claims(user.session, provider))["items"],
            "reasons": NO_NEW_CLAIM,
        }
    context["queues"] = [
        {"organisation": org, "step": step}
        for role, step in STEPS.items()
        for org in user.organisations_with({role})
    ]
    return render(request, "claims.jinja", context)


def claim_starts(availability: dict[str, Any]) -> list[dict[str, str]]:
    """What +New Claim can start now: one single-service claim per claimable single-mode service,
    and one multi-service claim when any multi-mode service is claimable."""
    claimable = [s for s in availability.get("services", []) if s["claimable"]]
    starts = [
        {"value": s["quality_service_id"], "text": f"{s['service_name']} (single-service claim)"}
        for s in claimable
        if s["claim_mode"] == "single"
    ]
    if any(s["claim_mode"] == "multi" for s in claimable):
        starts.append({"value": "", "text": "All services with an open claim window (multi-service claim)"})
    return starts


@router.post("/new")
async def new_claim(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """+New Claim: a Draft claim and its Claim ID (of the service chosen when there is a choice)."""
    provider = _provider(user)
    if provider is None:
        return redirect("/claims")
    service = str((await request.form()).get("service") or "") or None
    made = await gateway.new_claim(user.session, provider, service)
    return redirect(f"/claims/{made['claim_id']}")


@router.get("/review/{organisation}/{step}")
async def review_queue(
    request: Request, organisation: str, step: str, user: UserDep, gateway: GatewayDep
) -> Response:
    """Claims waiting at one review step of a commissioner, oldest first."""
    found = await gateway.review_queue(user.session, organisation, step)
    return render(
        request,
        "claims_queue.jinja",
        {
            "title": f"{step} review queue",
            "step": step,
            "organisation": organisation,
            "items": found["items"],
            "column": "nhsuk-grid-column-full",
            "breadcrumbs": [HOME, CLAIMS, {"text": f"{step} review", "href": request.url.path}],
        },
    )


def _number(raw: str) -> int | float | str:
    """Units as typed: a whole number, a decimal (refused by the service), or the text itself."""
    if raw.isdigit():
        return int(raw)
    try:
        return float(raw)
    except ValueError:
        return raw


def _lines(form: Any, claim: dict[str, Any]) -> list[dict[str, Any]]:
    """The units and answers typed on the claim pane, line by line."""
    found = []
    for line in claim["lines"]:
        entry: dict[str, Any] = {"component_id": line["component_id"]}
        raw = str(form.get(f"units-{line['component_id']}") or "").strip()
        if line["kind"] != "retainer" and raw:
            entry["units"] = _number(raw)
        answers = []
        for q in line["questions"]:
            value = form.get(f"answer-{line['component_id']}-{q['question_id']}")
            if value in {"yes", "no"}:
                answers.append({"question_id": q["question_id"], "yes": value == "yes"})
            elif value:
                answers.append({"question_id": q["question_id"], "text": str(value)})
        if answers:
            entry["answers"] = answers
        found.append(entry)
    return found


async def _claim_page(
    request: Request, user: User, gateway: GatewayDep, claim_id: str, errors: list[dict[str, str]]
) -> Response:
    claim = await gateway.claim(user.session, claim_id)
    panes = await gateway.claim_panes(user.session, claim_id) if claim["status"] == "Draft" else []
    return render(
        request,
        "claim.jinja",
        {
            "title": f"Claim {claim_id}",
            "claim": claim,
            "panes": panes,
            "errors": errors,
            "column": "nhsuk-grid-column-full",
            "breadcrumbs": [HOME, CLAIMS, {"text": f"Claim {claim_id}", "href": request.url.path}],
        },
        status_code=400 if errors else 200,
    )


@router.get("/{claim_id}")
async def claim_page(request: Request, claim_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """The claim: Claim ID, the services, components and claim panes, and the total."""
    return await _claim_page(request, user, gateway, claim_id, [])


@router.post("/{claim_id}")
async def claim_action(request: Request, claim_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """One button of the claim page: Add All, Add, Add+, Remove All, Delete, Save, Submit."""
    form = await request.form()
    action, _, rest = str(form.get("action") or "").partition(":")
    service, _, component = rest.partition(":")
    target = component or service or None
    try:
        if action == "add-services":
            await gateway.add_services(user.session, claim_id, target)
        elif action == "add-components":
            await gateway.add_components(user.session, claim_id, service or None, component or None)
        elif action == "remove":
            await gateway.remove_components(user.session, claim_id, target)
        elif action in {"save", "submit"}:
            claim = await gateway.claim(user.session, claim_id)
            lines = _lines(form, claim)
            if action == "save":
                await gateway.save_claim_lines(user.session, claim_id, lines)
                user.session.say("Your claim has been saved")
            else:
                done = await gateway.submit_claim(user.session, claim_id, lines)
                return render(
                    request,
                    "claim_submitted.jinja",
                    {"title": "Claim submitted", "claim": done, "breadcrumbs": [HOME, CLAIMS]},
                )
        elif action == "delete-claim":
            await gateway.delete_claim(user.session, claim_id)
            user.session.say(f"Claim {claim_id} has been deleted")
            return redirect("/claims")
    except ApiProblem as problem:
        errors = [{"text": e.message, "href": "#claim-pane"} for e in problem.errors] or [
            {"text": problem.detail, "href": "#claim-pane"}
        ]
        return await _claim_page(request, user, gateway, claim_id, errors)
    return redirect(f"/claims/{claim_id}#claim-pane")
