"""Claims (CQRS Local): the provider's claims page with +New Claim or the reason it is missing, the
claim with its services, components and claim panes (Add All, Add+, Remove All, Delete, units with
line totals, supplementary questions, attachments with their scan status, Download and Delete),
Submit and its confirmation; a User (multi-level) sends it for approval and an Approver (multi-level)
submits it on. The review queues are in pages/review.py, payment batches in pages/payments.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile as StarletteUpload

from cqrs_portal.gateway import ApiProblem
from cqrs_portal.web import CLAIM_PREPARERS, FLOW_KEEPERS, GatewayDep, User, UserDep, redirect, render

#: Who may submit a claim a User (multi-level) sent for approval.
PROVIDER_APPROVERS = {"Local Approver (multi-level)"}
#: Who sees a commissioner's payment batches (as claims decides).
PAYMENT_VIEWERS = {"Local Finance", "Local Approver Tier 2", "Commissioning Management", "Finance View"}
#: Claim statuses whose claim pane can still be changed.
EDITABLE = {"Draft", "Returned"}

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
    context["payments"] = bool(user.organisations_with(PAYMENT_VIEWERS))
    context["bulk"] = bool(user.organisations_with({"Local Approver Tier 1"}))
    context["flows"] = user.organisations_with(FLOW_KEEPERS)
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


def _number(raw: str) -> int | float | str:
    """Units as typed: a whole number, a decimal (refused by the service), or the text itself."""
    if raw.isdigit():
        return int(raw)
    try:
        return float(raw)
    except ValueError:
        return raw


def typed_lines(form: Any, claim: dict[str, Any]) -> list[dict[str, Any]]:
    """The units and answers typed on the claim pane, line by line."""
    found = []
    for line in claim["lines"]:
        entry: dict[str, Any] = {"component_id": line["component_id"]}
        raw = str(form.get(f"units-{line['component_id']}") or "").strip()
        if line["kind"] != "retainer" and raw:
            entry["units"] = _number(raw)
        answers = []
        for q in line["questions"]:
            value = str(form.get(f"answer-{line['component_id']}-{q['question_id']}") or "").strip()
            if q.get("kind") == "text":
                if value:
                    answers.append({"question_id": q["question_id"], "text": value})
            elif value in {"yes", "no"}:
                answers.append({"question_id": q["question_id"], "yes": value == "yes"})
        if answers:
            entry["answers"] = answers
        found.append(entry)
    return found


def _field_href(field: str, claim: dict[str, Any]) -> tuple[str, str | None]:
    """Where on the claim page a refused field is typed (its units box, its question's Yes, its
    file box), and the line's component name; the claim pane when no box fits."""
    parts = field.removeprefix("body.").split(".")
    lines = claim["lines"]
    if len(parts) < 2 or parts[0] != "lines":
        return "#claim-pane", None
    key = parts[1]
    line = lines[int(key)] if key.isdigit() and int(key) < len(lines) else None
    line = line or next((x for x in lines if x["component_id"] == key), None)
    if line is None:
        return "#claim-pane", None
    component, name = line["component_id"], line.get("component_name")
    what = parts[2] if len(parts) > 2 else ""
    if what == "units" and line["kind"] != "retainer":
        return f"#units-{component}", name
    kinds = {q["question_id"]: q.get("kind") for q in line.get("questions", [])}
    if what == "answers" and len(parts) > 3 and parts[3] in kinds:
        box = f"#answer-{component}-{parts[3]}"
        return (box if kinds[parts[3]] == "text" else f"{box}-yes"), name
    if what == "attachments":
        return f"#file-{component}", name
    return "#claim-pane", name


def claim_errors(problem: ApiProblem, claim: dict[str, Any]) -> list[dict[str, str]]:
    """A refusal of the claim pane as the error summary's list: each problem named by its line and
    linked to the exact box to put it right in."""
    errors = []
    for error in problem.errors:
        href, name = _field_href(error.field, claim)
        errors.append({"text": f"{name}: {error.message}" if name else error.message, "href": href})
    return errors or [{"text": problem.detail, "href": "#claim-pane"}]


def _as_typed(claim: dict[str, Any], entered: list[dict[str, Any]]) -> None:
    """Show what was typed (not saved) on the claim pane again, e.g. beside the problems found."""
    by_component = {e["component_id"]: e for e in entered}
    for line in claim["lines"]:
        entry = by_component.get(line["component_id"], {})
        if "units" in entry:
            line["units"] = entry["units"]
        if "answers" in entry:
            line["answers"] = entry["answers"]


async def render_claim(
    request: Request,
    user: User,
    gateway: GatewayDep,
    claim_id: str,
    errors: list[dict[str, str]],
    entered: list[dict[str, Any]] | None = None,
) -> Response:
    """The claim page, with problems in the error summary and, when given, the entries typed but
    not saved shown again in their boxes."""
    claim = await gateway.claim(user.session, claim_id)
    if entered and claim["status"] in EDITABLE:
        _as_typed(claim, entered)
    editable = claim["status"] in EDITABLE
    panes = await gateway.claim_panes(user.session, claim_id) if editable else []
    approver = claim["provider_organisation_id"] in user.organisations_with(PROVIDER_APPROVERS)
    return render(
        request,
        "claim.jinja",
        {
            "title": f"Claim {claim_id}",
            "claim": claim,
            "panes": panes,
            "editable": editable,
            "approves": approver and claim["status"] == "Awaiting Provider Approval",
            "errors": errors,
            "column": "nhsuk-grid-column-full",
            "breadcrumbs": [HOME, CLAIMS, {"text": f"Claim {claim_id}", "href": request.url.path}],
        },
        status_code=400 if errors else 200,
    )


@router.get("/{claim_id}")
async def claim_page(request: Request, claim_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """The claim: Claim ID, the services, components and claim panes, and the total."""
    return await render_claim(request, user, gateway, claim_id, [])


@router.post("/{claim_id}")
async def claim_action(request: Request, claim_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """One button of the claim page: Add All, Add, Add+, Remove All, Delete, Save, Add Attachment
    and an attachment's Delete (Submit goes to its confirmation: pages/claim_submit.py)."""
    form = await request.form()
    action, _, rest = str(form.get("action") or "").partition(":")
    service, _, component = rest.partition(":")
    target = component or service or None
    entered: list[dict[str, Any]] = []
    try:
        if action in {"attach", "delete-attachment"}:
            return await _attachment_action(request, user, gateway, claim_id, action, rest, form)
        if action == "add-services":
            await gateway.add_services(user.session, claim_id, target)
        elif action == "add-components":
            await gateway.add_components(user.session, claim_id, service or None, component or None)
        elif action == "remove":
            await gateway.remove_components(user.session, claim_id, target)
        elif action == "save":
            entered = typed_lines(form, await gateway.claim(user.session, claim_id))
            await gateway.save_claim_lines(user.session, claim_id, entered)
            user.session.say("Your claim has been saved")
        elif action == "delete-claim":
            await gateway.delete_claim(user.session, claim_id)
            user.session.say(f"Claim {claim_id} has been deleted")
            return redirect("/claims")
    except ApiProblem as problem:
        claim = await gateway.claim(user.session, claim_id)
        errors = claim_errors(problem, claim)
        return await render_claim(request, user, gateway, claim_id, errors, entered)
    return redirect(f"/claims/{claim_id}#claim-pane")


async def _attachment_action(
    request: Request, user: User, gateway: GatewayDep, claim_id: str, action: str, target: str, form: Any
) -> Response:
    """Add Attachment (the file chosen beside a component) or Delete one attachment."""
    if action == "delete-attachment":
        await gateway.delete_attachment(user.session, claim_id, target)
        user.session.say("The attachment has been deleted")
        return redirect(f"/claims/{claim_id}#claim-pane")
    field = f"file-{target}"
    upload = form.get(field)
    if not isinstance(upload, StarletteUpload) or not upload.filename:
        errors = [{"text": "Choose a file to attach", "href": f"#{field}"}]
        return await render_claim(request, user, gateway, claim_id, errors)
    content = await upload.read()
    media_type = upload.content_type or "application/octet-stream"
    try:
        await gateway.add_attachment(user.session, claim_id, target, (upload.filename, content, media_type))
    except ApiProblem as problem:
        errors = [{"text": e.message, "href": f"#{field}"} for e in problem.errors] or [
            {"text": problem.detail, "href": f"#{field}"}
        ]
        return await render_claim(request, user, gateway, claim_id, errors)
    user.session.say(f"{upload.filename} has been uploaded: it is Pending System Review until scanned")
    return redirect(f"/claims/{claim_id}#attachments-{target}")


@router.get("/{claim_id}/attachments/{attachment_id}")
async def download(claim_id: str, attachment_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """Download a file scanned clean (claims refuses any other)."""
    found = await gateway.attachment_file(user.session, claim_id, attachment_id)
    return Response(
        found.content,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": found.headers.get("content-disposition", "attachment"),
            "X-Content-Type-Options": "nosniff",
        },
    )
