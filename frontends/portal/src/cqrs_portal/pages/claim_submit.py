"""Submit a claim (guide steps 15-17): Submit on the claim pane checks the claim without submitting
it; any problem comes back on the claim page, linked to the box to put it right in; otherwise
"Confirm that you wish to submit the claim" shows what will be submitted (services, lines, total).
Yes submits it and shows the claims summary; No returns to the claim as it was, with what was typed
still in its boxes (nothing is saved until Save or Yes)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.gateway import ApiProblem
from cqrs_portal.pages.claims import CLAIMS, HOME, claim_errors, render_claim, typed_lines
from cqrs_portal.web import GatewayDep, User, UserDep, render

router = APIRouter(prefix="/claims")
#: The status a claim a User (multi-level) submits takes: an Approver at the provider submits it on.
SENT_FOR_APPROVAL = "Awaiting Provider Approval"


def _hidden(entered: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """What was typed, as the confirmation form's hidden fields (the claim pane's own names)."""
    fields = []
    for entry in entered:
        component = entry["component_id"]
        if "units" in entry:
            fields.append((f"units-{component}", str(entry["units"])))
        for answer in entry.get("answers", []):
            value = ("yes" if answer["yes"] else "no") if "yes" in answer else str(answer.get("text", ""))
            fields.append((f"answer-{component}-{answer['question_id']}", value))
    return fields


def _services(preview: dict[str, Any]) -> list[str]:
    """The names of the claim's services, each once, in the order of its lines."""
    return list(
        dict.fromkeys(str(line["service_name"] or line["quality_service_id"]) for line in preview["lines"])
    )


async def _confirmation(
    request: Request, user: User, gateway: GatewayDep, claim: dict[str, Any], entered: list[dict[str, Any]]
) -> Response:
    """Check without submitting; the confirmation page, or the problems on the claim page."""
    claim_id = claim["claim_id"]
    try:
        preview = await gateway.check_claim(user.session, claim_id, entered)
    except ApiProblem as problem:
        return await render_claim(request, user, gateway, claim_id, claim_errors(problem, claim), entered)
    return render(
        request,
        "claim_confirm.jinja",
        {
            "title": "Confirm that you wish to submit the claim",
            "claim": preview,
            "services": _services(preview),
            "for_approval": preview["status"] == SENT_FOR_APPROVAL,
            "hidden": _hidden(entered),
            "version": claim["version"],
            "breadcrumbs": [
                HOME,
                CLAIMS,
                {"text": f"Claim {claim_id}", "href": f"/claims/{claim_id}"},
                {"text": "Confirm", "href": request.url.path},
            ],
            "column": "nhsuk-grid-column-full",
        },
    )


@router.post("/{claim_id}/submit")
async def submit(request: Request, claim_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """Submit (``check``: the confirmation), Yes (``confirm``: submitted, then the claims summary)
    or No (``back``: the claim page with what was typed)."""
    form = await request.form()
    action = str(form.get("action") or "check")
    claim = await gateway.claim(user.session, claim_id)
    entered = typed_lines(form, claim)
    if action == "back":
        return await render_claim(request, user, gateway, claim_id, [], entered)
    if action != "confirm":
        return await _confirmation(request, user, gateway, claim, entered)
    if str(claim["version"]) != str(form.get("version")):
        changed = "This claim changed after you checked it: check it again, then Submit it"
        return await render_claim(
            request, user, gateway, claim_id, [{"text": changed, "href": "#claim-pane"}]
        )
    try:
        done = await gateway.submit_claim(user.session, claim_id, entered)
    except ApiProblem as problem:
        return await render_claim(request, user, gateway, claim_id, claim_errors(problem, claim), entered)
    sent = done["status"] == SENT_FOR_APPROVAL
    return render(
        request,
        "claim_submitted.jinja",
        {
            "title": "Claim sent for approval" if sent else "Claim submitted",
            "claim": done,
            "breadcrumbs": [HOME, CLAIMS],
        },
    )
