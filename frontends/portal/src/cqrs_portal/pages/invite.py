"""Invite a new or existing user: email -> name -> organisation -> role -> check and Send.
The answers so far live in the session's draft, so every step works without JavaScript."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.forms import organisation_names
from cqrs_portal.gateway import ApiProblem
from cqrs_portal.web import (
    USER_MANAGERS,
    GatewayDep,
    User,
    UserDep,
    error_list,
    organisations_in_scope,
    problem_errors,
    redirect,
    render,
)

router = APIRouter(prefix="/users/invite")
DRAFT = "invite"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
STEPS = ("email", "name", "organisation", "role", "check")
FIELDS = {
    "email": "email",
    "first_name": "first_name",
    "last_name": "last_name",
    "organisation": "organisation",
    "role": "role",
}


def _back(step: str) -> dict[str, str]:
    i = STEPS.index(step)
    return {"href": "/users" if i == 0 else f"/users/invite/{STEPS[i - 1]}"}


async def _choices(user: User, gateway: GatewayDep, draft: dict[str, Any]) -> dict[str, Any]:
    """Organisations the inviter administers (and those below them), and the roles the chosen one may hold."""
    everything = await gateway.organisations(user.session)
    names = organisation_names(everything)
    managed = set(user.organisations_with(USER_MANAGERS))
    in_scope = await organisations_in_scope(user, gateway)
    organisations = sorted(o for o in in_scope | managed if o in names)
    kinds = {o["ods_code"]: o["kind"] for o in everything}
    roles = [
        r["role"]
        for r in await gateway.roles(user.session)
        if draft.get("organisation") and kinds.get(draft["organisation"]) in r["held_at"]
    ]
    return {
        "organisations": [{"value": o, "text": f"{o} {names[o]}"} for o in organisations],
        "roles": roles,
        "names": names,
    }


async def _step(
    request: Request, user: User, gateway: GatewayDep, step: str, errors: dict[str, str]
) -> Response:
    draft = user.session.draft(DRAFT)
    return render(
        request,
        "invite.jinja",
        {
            "title": {
                "email": "Email address",
                "name": "Name",
                "organisation": "Organisation",
                "role": "Role",
                "check": "Check the invitation",
            }[step],
            "step": step,
            "draft": draft,
            **(await _choices(user, gateway, draft) if step in {"organisation", "role", "check"} else {}),
            "field_errors": errors,
            "errors": error_list(errors),
            "back": _back(step),
        },
        status_code=400 if errors else 200,
    )


@router.get("")
async def start(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Step 1: the person's email address."""
    return await _step(request, user, gateway, "email", {})


@router.get("/{step}")
async def step_page(request: Request, step: str, user: UserDep, gateway: GatewayDep) -> Response:
    """Any step, to go back and change an answer."""
    if step not in STEPS:
        raise ApiProblem(404, "Not found", "There is no such page.")
    return await _step(request, user, gateway, step, {})


def _check(step: str, form: dict[str, str], draft: dict[str, Any]) -> dict[str, str]:
    if step == "email":
        return (
            {}
            if EMAIL.match(form.get("email", ""))
            else {"email": "Enter an email address in the correct format, like name@example.com"}
        )
    if step == "name":
        errors = {}
        if not form.get("first_name"):
            errors["first_name"] = "Enter a first name"
        if not form.get("last_name"):
            errors["last_name"] = "Enter a last name"
        return errors
    if step == "organisation":
        return (
            {} if form.get("organisation") else {"organisation": "Select the organisation to invite them to"}
        )
    if step == "role":
        return {} if form.get("role") else {"role": "Select the role to give them"}
    return {}


@router.post("/{step}")
async def answer(request: Request, step: str, user: UserDep, gateway: GatewayDep) -> Response:
    """Keep one step's answer and go to the next step; Send on the last one."""
    if step not in STEPS:
        raise ApiProblem(404, "Not found", "There is no such page.")
    form = {k: str(v).strip() for k, v in (await request.form()).items() if k in FIELDS}
    draft = user.session.draft(DRAFT)
    errors = _check(step, form, draft)
    if errors:
        draft.update(form)
        return await _step(request, user, gateway, step, errors)
    if step == "organisation" and form.get("organisation") != draft.get("organisation"):
        draft.pop("role", None)
    draft.update(form)
    if step != "check":
        return redirect(f"/users/invite/{STEPS[STEPS.index(step) + 1]}")
    try:
        await gateway.invite(user.session, {k: draft.get(k) for k in FIELDS})
    except ApiProblem as problem:
        errors = problem_errors(problem, FIELDS, "email")
        return await _step(request, user, gateway, "check", errors)
    user.session.drop_draft(DRAFT)
    user.session.say(f"An invitation has been sent to {draft['email']}")
    return redirect(f"/users?q={quote(str(draft['email']))}")  # the invited person, whatever the page
