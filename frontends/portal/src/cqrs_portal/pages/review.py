"""Commissioner review of claims (CQRS Local): the queues of Tier 1, Tier 2 and Finance (paged, with
the filters claims offers), a claim under review (lines, totals, attachments, history) and its
decisions, Approve, Reject with a reason and Return to the provider with a reason, each after a
confirmation. Claims refuses a second sign-off by the same person; the page says so plainly."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.gateway import ApiProblem
from cqrs_portal.web import GatewayDep, UserDep, redirect, render

router = APIRouter(prefix="/claims")
HOME = {"text": "Home", "href": "/"}
CLAIMS = {"text": "Claims", "href": "/claims"}
#: The queue's filters, as claims names them.
FILTERS = ("quality_service_id", "provider_organisation_id", "value_band", "min_age_days", "max_age_days")
BANDS = ("Low", "Medium", "High")
#: Each decision: its button, its confirmation question and what is said once done.
DECISIONS = {
    "approve": ("Approve", "Are you sure you want to approve claim {claim} at {step}?", "approved at {step}"),
    "reject": ("Reject", "Are you sure you want to reject claim {claim}?", "rejected"),
    "return": (
        "Return to provider",
        "Are you sure you want to return claim {claim} to the provider?",
        "returned",
    ),
}
REASON_MAX = 500


def _queue_url(organisation: str, step: str) -> str:
    return f"/claims/review/{organisation}/{step}"


@router.get("/review/{organisation}/{step}")
async def review_queue(
    request: Request, organisation: str, step: str, user: UserDep, gateway: GatewayDep
) -> Response:
    """Claims waiting at one review step of a commissioner, oldest first, filtered and paged."""
    query = request.query_params
    filters = {name: query.get(name, "").strip() for name in FILTERS}
    errors = {
        name: "Enter a whole number of days, like 7"
        for name in ("min_age_days", "max_age_days")
        if filters[name] and not filters[name].isdigit()
    }
    page = int(query["page"]) if query.get("page", "").isdigit() and int(query["page"]) > 0 else 1
    found: dict[str, Any] = {"items": [], "total": 0, "size": 20}
    if not errors:
        found = await gateway.review_queue(user.session, organisation, step, filters, page)
    pages = max(1, -(-found["total"] // found["size"]))
    kept = urlencode({k: v for k, v in filters.items() if v})
    base = f"{_queue_url(organisation, step)}?{kept}{'&' if kept else ''}page="
    return render(
        request,
        "claims_queue.jinja",
        {
            "title": f"{step} review queue",
            "step": step,
            "organisation": organisation,
            "items": found["items"],
            "total": found["total"],
            "filters": filters,
            "bands": BANDS,
            "errors": [{"text": m, "href": f"#{n}"} for n, m in errors.items()],
            "field_errors": errors,
            "page": page,
            "previous": f"{base}{page - 1}" if page > 1 else None,
            "next": f"{base}{page + 1}" if page < pages else None,
            "pages": pages,
            "column": "nhsuk-grid-column-full",
            "breadcrumbs": [HOME, CLAIMS, {"text": f"{step} review", "href": request.url.path}],
        },
        status_code=400 if errors else 200,
    )


async def _review_context(user: UserDep, gateway: GatewayDep, claim_id: str) -> dict[str, Any]:
    claim = await gateway.review_claim(user.session, claim_id)
    review = claim.get("review") or {}
    step = review.get("step")
    waiting = claim["status"] in {
        "Pending Tier 1 Review",
        "Pending Tier 2 Review",
        "Pending Finance Approval",
    }
    may_return = False
    if waiting and step:
        flow = await gateway.review_flow(user.session, claim["commissioner_organisation_id"])
        may_return = any(s["name"] == step and s["may_return"] for s in flow["steps"])
    trail = [{"text": f"Claim {claim_id}", "href": f"/claims/{claim_id}/review"}]
    if waiting and step:
        trail.insert(
            0, {"text": f"{step} review", "href": _queue_url(claim["commissioner_organisation_id"], step)}
        )
    return {
        "claim": claim,
        "review": review,
        "waiting": waiting,
        "decisions": [d for d in DECISIONS if d != "return" or may_return] if waiting else [],
        "labels": {k: v[0] for k, v in DECISIONS.items()},
        "breadcrumbs": [HOME, CLAIMS, *trail],
    }


@router.get("/{claim_id}/review")
async def review_claim(request: Request, claim_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """A claim under review: its step, lines, totals, attachments (Download once clean) and history."""
    context = await _review_context(user, gateway, claim_id)
    history = await gateway.claim_history(user.session, claim_id)
    return render(
        request,
        "review_claim.jinja",
        {
            **context,
            "title": f"Review claim {claim_id}",
            "history": history,
            "column": "nhsuk-grid-column-full",
        },
    )


async def _confirm_page(
    request: Request,
    user: UserDep,
    gateway: GatewayDep,
    claim_id: str,
    decision: str,
    errors: dict[str, str],
    reason: str = "",
) -> Response:
    if decision not in DECISIONS:
        return redirect(f"/claims/{claim_id}/review")
    context = await _review_context(user, gateway, claim_id)
    del context["breadcrumbs"]  # a Back link instead
    label, question, _ = DECISIONS[decision]
    step = context["review"].get("step") or ""
    return render(
        request,
        "review_decision.jinja",
        {
            **context,
            "title": question.format(claim=claim_id, step=step),
            "decision": decision,
            "label": label,
            "reason": reason,
            "reason_max": REASON_MAX,
            "errors": [{"text": m, "href": f"#{n}"} for n, m in errors.items()],
            "field_errors": errors,
            "back": {"href": f"/claims/{claim_id}/review", "text": "Back to the claim"},
        },
        status_code=400 if errors else 200,
    )


@router.get("/{claim_id}/review/{decision}")
async def confirm_decision(
    request: Request, claim_id: str, decision: str, user: UserDep, gateway: GatewayDep
) -> Response:
    """The confirmation of a decision (with the reason box for Reject and Return)."""
    return await _confirm_page(request, user, gateway, claim_id, decision, {})


@router.post("/{claim_id}/review/{decision}")
async def decide(
    request: Request, claim_id: str, decision: str, user: UserDep, gateway: GatewayDep
) -> Response:
    """Confirm: the decision goes to claims; a refusal (such as a second sign-off by the same person)
    is shown on the confirmation page in claims' words."""
    if decision not in DECISIONS:
        return redirect(f"/claims/{claim_id}/review")
    reason = str((await request.form()).get("reason") or "").strip()
    if decision != "approve" and not reason:
        why = (
            "Enter why you are rejecting the claim"
            if decision == "reject"
            else "Enter why you are returning the claim"
        )
        return await _confirm_page(request, user, gateway, claim_id, decision, {"reason": why})
    if len(reason) > REASON_MAX:
        too_long = {"reason": f"Reason must be {REASON_MAX} characters or fewer"}
        return await _confirm_page(request, user, gateway, claim_id, decision, too_long, reason)
    before = await gateway.review_claim(user.session, claim_id)
    step = (before.get("review") or {}).get("step") or ""
    try:
        await gateway.decide_claim(user.session, claim_id, decision, reason or None)
    except ApiProblem as problem:
        field = "reason" if decision != "approve" and problem.field_message("reason") else "decision"
        message = problem.field_message("reason") if field == "reason" else None
        text = message or (
            f"{problem.title}: {problem.detail}" if problem.status in {403, 409} else problem.detail
        )
        return await _confirm_page(request, user, gateway, claim_id, decision, {field: text}, reason)
    user.session.say(f"Claim {claim_id} has been {DECISIONS[decision][2].format(step=step)}")
    return redirect(_queue_url(before["commissioner_organisation_id"], step) if step else "/claims")
