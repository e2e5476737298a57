"""Review flows (CQRS Local, Commissioning Management or Local Administrator): a commissioner's review
flow as a form. Its steps in order (name, role that signs off, the status claims show while there,
how many sign-offs, whether the step may return claims, the value bands and the threshold it applies
to: the Finance step's bands say which claims need Finance) and the value bands. Saved whole; every
problem comes back in the error summary linked to its box."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.gateway import ApiProblem
from cqrs_portal.web import FLOW_KEEPERS, GatewayDep, User, UserDep, redirect, render

router = APIRouter(prefix="/claims/review-flows")
#: The roles that sign off a step, and the statuses a claim shows while it waits at one.
ROLES = ["Local Approver Tier 1", "Local Approver Tier 2", "Local Finance"]
STATUSES = ["Pending Tier 1 Review", "Pending Tier 2 Review", "Pending Finance Approval"]
BANDS = ["Low", "Medium", "High"]
MAX_SIGN_OFFS = 5
HOME = {"text": "Home", "href": "/"}
CLAIMS = {"text": "Claims", "href": "/claims"}
#: The API's step fields and the form's box for each.
STEP_BOXES = {"name": "name", "role": "role", "status": "status", "sign_offs": "sign_offs", "bands": "bands"}
STEP_BOXES |= {"from_pence": "from", "may_return": "may_return"}
#: Claims' words for a rule, as a commissioner would put it.
WORDS = {"medium_from_pence must be below high_from_pence": "The Medium band must start below the High band"}
#: Someone saved the flow after this form was shown (412), or at the same moment (409).
STALE = {409, 412}
CHANGED = (
    "Someone else saved this review flow after you opened it: nothing was saved. "
    "Open the review flow again to see their change, then make yours"
)


def _pounds(pence: int) -> str:
    return f"{Decimal(pence) / 100:.2f}"


def _pence(raw: Any) -> int | None:
    """Pounds as typed (15000, 15,000.50, £15000) in pence; None when not an amount."""
    text = str(raw or "").strip().replace(",", "").removeprefix("£")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        return None
    return int(amount * 100)


def _view(flow: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The flow as the form shows it: its steps and an empty one to add, and the bands in pounds."""
    steps = [
        {
            "name": s["name"],
            "role": s["role"],
            "status": s["status"],
            "sign_offs": str(s["sign_offs"]),
            "may_return": s["may_return"],
            "bands": s["bands"],
            "from": _pounds(s["from_pence"]),
            "remove": False,
        }
        for s in flow["steps"]
    ]
    new = {"name": "", "role": ROLES[0], "status": STATUSES[0], "sign_offs": "1", "may_return": False}
    steps.append(new | {"bands": list(BANDS), "from": "0.00", "remove": False})
    bands = flow["bands"]
    return steps, {
        "medium_from": _pounds(bands["medium_from_pence"]),
        "high_from": _pounds(bands["high_from_pence"]),
    }


def _typed(form: Any) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The form as typed: every step box (the last is the step to add) and the bands."""
    count = int(str(form.get("count") or "0")) if str(form.get("count") or "").isdigit() else 0
    steps = [
        {
            "name": str(form.get(f"step-{i}-name") or "").strip(),
            "role": str(form.get(f"step-{i}-role") or ""),
            "status": str(form.get(f"step-{i}-status") or ""),
            "sign_offs": str(form.get(f"step-{i}-sign_offs") or "").strip(),
            "may_return": bool(form.get(f"step-{i}-may_return")),
            "bands": [str(b) for b in form.getlist(f"step-{i}-bands")],
            "from": str(form.get(f"step-{i}-from") or "").strip(),
            "remove": bool(form.get(f"step-{i}-remove")),
        }
        for i in range(count + 1)
    ]
    return steps, {
        "medium_from": str(form.get("medium_from") or ""),
        "high_from": str(form.get("high_from") or ""),
    }


def _flow(
    steps: list[dict[str, Any]], bands: dict[str, str]
) -> tuple[dict[str, Any], list[int], dict[str, str]]:
    """The flow to save, the form index of each of its steps, and the boxes typed wrong."""
    errors: dict[str, str] = {}
    amounts = {key: _pence(bands[key]) for key in ("medium_from", "high_from")}
    for key, label in (("medium_from", "Medium"), ("high_from", "High")):
        if amounts[key] is None:
            errors[key] = f"Enter where the {label} band starts in pounds, for example 15000.00"
    kept, indices = [], []
    for i, step in enumerate(steps):
        if step["remove"] or (i == len(steps) - 1 and not step["name"]):
            continue  # removed, or no step added
        sign_offs = int(step["sign_offs"]) if step["sign_offs"].isdigit() else 0
        if not 1 <= sign_offs <= MAX_SIGN_OFFS:
            errors[f"step-{i}-sign_offs"] = f"Step {i + 1}: enter the sign-offs as a whole number from 1 to 5"
        threshold = _pence(step["from"] or "0")
        if threshold is None:
            errors[f"step-{i}-from"] = f"Step {i + 1}: enter the threshold in pounds, for example 0 or 250.00"
        kept.append(
            {
                "name": step["name"],
                "role": step["role"],
                "status": step["status"],
                "sign_offs": sign_offs,
                "may_return": step["may_return"],
                "bands": step["bands"],
                "from_pence": threshold or 0,
            }
        )
        indices.append(i)
    flow = {
        "steps": kept,
        "bands": {"medium_from_pence": amounts["medium_from"], "high_from_pence": amounts["high_from"]},
    }
    return flow, indices, errors


def _refused(problem: ApiProblem, indices: list[int]) -> dict[str, str]:
    """Claims' refusal of the flow, each message at its box."""
    found: dict[str, str] = {}
    for error in problem.errors:
        parts = error.field.split(".")
        message = error.message.removeprefix("Value error, ")
        message = WORDS.get(message, message)
        if parts[0] == "steps" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(indices):
            i = indices[int(parts[1])]
            box = STEP_BOXES.get(parts[2] if len(parts) > 2 else "", "name")
            found.setdefault(f"step-{i}-{box}", f"Step {i + 1}: {message}")
        elif parts[0] == "bands":
            found.setdefault(
                "high_from" if error.field.endswith("high_from_pence") else "medium_from", message
            )
        elif "first step" in message and indices:
            found.setdefault(f"step-{indices[0]}-bands", message)
        else:
            found.setdefault("steps", message)
    return found or {"steps": problem.detail}


def _page(
    request: Request,
    commissioner: str,
    steps: list[dict[str, Any]],
    bands: dict[str, str],
    errors: dict[str, str],
    keepers: list[str],
    version: int,
) -> Response:
    return render(
        request,
        "review_flow.jinja",
        {
            "title": f"Review flow of {commissioner}",
            "commissioner": commissioner,
            "version": version,
            "commissioners": keepers,
            "steps": steps,
            "bands": bands,
            "roles": ROLES,
            "statuses": STATUSES,
            "band_names": BANDS,
            "field_errors": errors,
            "errors": [{"text": text, "href": f"#{box}"} for box, text in errors.items()],
            "column": "nhsuk-grid-column-full",
            "breadcrumbs": [HOME, CLAIMS, {"text": "Review flow", "href": request.url.path}],
        },
        status_code=400 if errors else 200,
    )


def _keepers(user: User) -> list[str]:
    return user.organisations_with(FLOW_KEEPERS)


@router.get("")
async def choose(user: UserDep) -> Response:
    """The review flow of the (first) commissioner the user keeps flows for."""
    keepers = _keepers(user)
    return redirect(f"/claims/review-flows/{keepers[0]}" if keepers else "/claims")


@router.get("/{commissioner}")
async def flow_page(request: Request, commissioner: str, user: UserDep, gateway: GatewayDep) -> Response:
    """The commissioner's review flow as a form (the default until one is saved)."""
    flow = await gateway.review_flow(user.session, commissioner)
    steps, bands = _view(flow)
    return _page(request, commissioner, steps, bands, {}, _keepers(user), int(flow.get("version", 0)))


@router.post("/{commissioner}")
async def save(request: Request, commissioner: str, user: UserDep, gateway: GatewayDep) -> Response:
    """Save the flow as typed (claims already in review keep the steps they were given)."""
    form = await request.form()
    steps, bands = _typed(form)
    version = int(raw) if (raw := str(form.get("version") or "")).isdigit() else 0
    flow, indices, errors = _flow(steps, bands)
    if not errors:
        try:
            await gateway.save_review_flow(user.session, commissioner, flow, version)
        except ApiProblem as problem:
            errors = {"steps": CHANGED} if problem.status in STALE else _refused(problem, indices)
    if errors:
        return _page(request, commissioner, steps, bands, errors, _keepers(user), version)
    user.session.say(f"The review flow of {commissioner} has been saved")
    return redirect(f"/claims/review-flows/{commissioner}")
