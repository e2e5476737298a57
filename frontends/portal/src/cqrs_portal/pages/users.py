"""Users: search, view, roles with payment types, clusters, revoke, enable and disable with a reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from cqrs_portal.forms import DISABLE_REASONS, OTHER_REASON_MAX, disable_reason_errors, organisation_names
from cqrs_portal.gateway import ApiProblem
from cqrs_portal.web import GatewayDep, UserDep, error_list, problem_errors, redirect, render

router = APIRouter(prefix="/users")
PAGE_SIZE = 20
CRUMBS = [{"text": "Home", "href": "/"}, {"text": "Users", "href": "/users"}]
STATUS_COLOURS = {
    "Active": "green",
    "Disabled": "red",
    "Pending Approval": "yellow",
    "Awaiting Completion": "blue",
    "Rejected": "grey",
}


def _matches(user: dict[str, Any], needle: str) -> bool:
    text = f"{user['first_name']} {user['last_name']} {user['email']}".lower()
    return all(word in text for word in needle.lower().split())


@router.get("")
async def users(
    request: Request, user: UserDep, gateway: GatewayDep, q: str = "", organisation: str = "", page: int = 1
) -> Response:
    """Find users by name or email at the organisations you manage, a page at a time."""
    found = [u for u in await gateway.users(user.session, organisation or None) if _matches(u, q)]
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return render(
        request,
        "users.jinja",
        {
            "title": "Users",
            "users": found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
            "total": len(found),
            "q": q,
            "organisation": organisation,
            "organisations": user.organisations_with(
                {"User Administrator", "Advanced User Administrator", "Local Administrator"}
            ),
            "page": page,
            "pages": pages,
            "colours": STATUS_COLOURS,
            "breadcrumbs": CRUMBS[:1],
            "column": "nhsuk-grid-column-full",
        },
    )


@router.get("/{user_id}")
async def view(request: Request, user_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """One user: organisations with roles, payment types and clusters; Revoke, Enable Account and
    Disable Account at the bottom."""
    shown = await gateway.user(user.session, user_id)
    names = organisation_names(await gateway.organisations(user.session))
    try:
        audit = await gateway.audit(user.session, user_id)
    except ApiProblem:
        audit = []  # the audit trail is for administrators only
    pending = [
        line
        for line in await gateway.pending_actions(user.session, sort="date", order="desc", status="Pending")
        if line["user_id"] == user_id
    ]
    return render(
        request,
        "user.jinja",
        {
            "title": f"{shown['first_name']} {shown['last_name']}",
            "shown": shown,
            "names": names,
            "audit": audit[:20],
            "pending": pending,
            "colours": STATUS_COLOURS,
            "breadcrumbs": CRUMBS,
            "column": "nhsuk-grid-column-full",
        },
    )


def _crumbs(shown: dict[str, Any]) -> list[dict[str, str]]:
    return [
        *CRUMBS,
        {"text": f"{shown['first_name']} {shown['last_name']}", "href": f"/users/{shown['user_id']}"},
    ]


async def _roles_form(
    request: Request,
    user: UserDep,
    gateway: GatewayDep,
    user_id: str,
    organisation: str,
    errors: dict[str, str],
) -> Response:
    shown = await gateway.user(user.session, user_id)
    kind = await gateway.organisations(user.session, q=organisation)
    org = next((o for o in kind if o["ods_code"] == organisation), None)
    if org is None:
        raise ApiProblem(404, "Not found", f"There is no organisation {organisation}.")
    roles = [r for r in await gateway.roles(user.session) if org["kind"] in r["held_at"]]
    member = next((m for m in shown["memberships"] if m["organisation"] == organisation), None)
    held = {r["role"]: r["payment_types"] for r in (member or {}).get("roles", [])}
    return render(
        request,
        "user_roles.jinja",
        {
            "title": f"Roles at {organisation}",
            "shown": shown,
            "org": org,
            "roles": roles,
            "held": held,
            "field_errors": errors,
            "errors": error_list(errors),
            "back": {"href": f"/users/{user_id}"},
        },
        status_code=400 if errors else 200,
    )


@router.get("/{user_id}/roles")
async def roles_page(
    request: Request, user_id: str, organisation: str, user: UserDep, gateway: GatewayDep
) -> Response:
    """Choose a user's roles at one organisation, each optionally limited to payment types."""
    return await _roles_form(request, user, gateway, user_id, organisation, {})


@router.post("/{user_id}/roles")
async def change_roles(
    request: Request, user_id: str, organisation: str, user: UserDep, gateway: GatewayDep
) -> Response:
    """Submit the roles (the whole set at that organisation)."""
    form = await request.form()
    chosen = [str(v) for v in form.getlist("roles")]
    roles = [
        {
            "role": role,
            "payment_types": [
                p.strip() for p in str(form.get(f"payment_types_{i}", "")).split(",") if p.strip()
            ],
        }
        for i, role in ((int(str(form.get(f"index_{r}", "0"))), r) for r in chosen)
    ]
    try:
        await gateway.change_roles(user.session, user_id, organisation, roles)
    except ApiProblem as problem:
        return await _roles_form(
            request, user, gateway, user_id, organisation, problem_errors(problem, {}, "roles")
        )
    user.session.say(f"Roles at {organisation} have been updated")
    return redirect(f"/users/{user_id}")


async def _clusters_form(
    request: Request,
    user: UserDep,
    gateway: GatewayDep,
    user_id: str,
    organisation: str,
    errors: dict[str, str],
) -> Response:
    shown = await gateway.user(user.session, user_id)
    clusters = await gateway.clusters(user.session, organisation)
    member = next((m for m in shown["memberships"] if m["organisation"] == organisation), None)
    return render(
        request,
        "user_clusters.jinja",
        {
            "title": f"Clusters at {organisation}",
            "shown": shown,
            "organisation": organisation,
            "clusters": clusters,
            "assigned": set((member or {}).get("cluster_ids", [])),
            "field_errors": errors,
            "errors": error_list(errors),
            "back": {"href": f"/users/{user_id}"},
        },
        status_code=400 if errors else 200,
    )


@router.get("/{user_id}/clusters")
async def clusters_page(
    request: Request, user_id: str, organisation: str, user: UserDep, gateway: GatewayDep
) -> Response:
    """Tick the Service Provider Clusters the user is limited to at one organisation."""
    return await _clusters_form(request, user, gateway, user_id, organisation, {})


@router.post("/{user_id}/clusters")
async def assign_clusters(
    request: Request,
    user_id: str,
    organisation: str,
    user: UserDep,
    gateway: GatewayDep,
    cluster_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Submit: the user is updated."""
    try:
        await gateway.assign_clusters(user.session, user_id, organisation, cluster_ids or [])
    except ApiProblem as problem:
        errors = problem_errors(problem, {"cluster_ids": "cluster_ids"}, "cluster_ids")
        return await _clusters_form(request, user, gateway, user_id, organisation, errors)
    user.session.say("The user was successfully updated")
    return redirect(f"/users/{user_id}")


ACTIONS = {
    "revoke": ("Revoke access", "Revoke", "warning"),
    "enable": ("Enable Account", "Confirm", "primary"),
}


@router.get("/{user_id}/{action}")
async def confirm_page(
    request: Request, user_id: str, action: str, user: UserDep, gateway: GatewayDep, organisation: str = ""
) -> Response:
    """Confirm Revoke or Enable Account, or choose the reason to Disable Account."""
    shown = await gateway.user(user.session, user_id)
    if action == "disable":
        return _disable_form(request, shown, {}, "", "")
    if action not in ACTIONS:
        raise ApiProblem(404, "Not found", "There is no such page.")
    title, button, variant = ACTIONS[action]
    return render(
        request,
        "user_confirm.jinja",
        {
            "title": title,
            "button": button,
            "variant": variant,
            "action": action,
            "shown": shown,
            "organisation": organisation,
            "back": {"href": f"/users/{user_id}"},
        },
    )


def _disable_form(
    request: Request, shown: dict[str, Any], errors: dict[str, str], reason: str, text: str
) -> Response:
    return render(
        request,
        "user_disable.jinja",
        {
            "title": "Disable Account",
            "shown": shown,
            "reasons": DISABLE_REASONS,
            "max": OTHER_REASON_MAX,
            "reason": reason,
            "reason_text": text,
            "heading": f"Why are you disabling {shown['first_name']} {shown['last_name']}'s account?",
            "field_errors": errors,
            "errors": error_list(errors),
            "back": {"href": f"/users/{shown['user_id']}"},
        },
        status_code=400 if errors else 200,
    )


@router.post("/{user_id}/disable")
async def disable(
    request: Request,
    user_id: str,
    user: UserDep,
    gateway: GatewayDep,
    reason: Annotated[str, Form()] = "",
    reason_text: Annotated[str, Form()] = "",
) -> Response:
    """Disable Account with a reason; the user can no longer log in anywhere."""
    errors = disable_reason_errors(reason, reason_text)
    if not errors:
        try:
            await gateway.disable(user.session, user_id, reason, reason_text.strip() or None)
        except ApiProblem as problem:
            errors = problem_errors(problem, {"reason": "reason", "reason_text": "reason_text"}, "reason")
    if errors:
        return _disable_form(request, await gateway.user(user.session, user_id), errors, reason, reason_text)
    user.session.say("The account has been disabled")
    return redirect(f"/users/{user_id}")


@router.post("/{user_id}/revoke")
async def revoke(
    request: Request, user_id: str, user: UserDep, gateway: GatewayDep, organisation: Annotated[str, Form()]
) -> Response:
    """Revoke: all of the user's access at that organisation is removed (they can still log in)."""
    await gateway.revoke(user.session, user_id, organisation)
    user.session.say(f"Access at {organisation} has been revoked")
    return redirect(f"/users/{user_id}")


@router.post("/{user_id}/enable")
async def enable(
    request: Request,
    user_id: str,
    user: UserDep,
    gateway: GatewayDep,
    organisation: Annotated[str, Form()] = "",
) -> Response:
    """Enable Account: give back access at the organisation, or re-enable a disabled account."""
    await gateway.enable(user.session, user_id, organisation or None)
    user.session.say(
        f"Access at {organisation} has been given back" if organisation else "The account has been enabled"
    )
    return redirect(f"/users/{user_id}")
