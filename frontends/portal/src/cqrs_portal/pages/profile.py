"""My Profile, notification preferences, and disabling your own account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from cqrs_portal.forms import DISABLE_REASONS, OTHER_REASON_MAX, disable_reason_errors, organisation_names
from cqrs_portal.gateway import ApiProblem
from cqrs_portal.web import GatewayDep, UserDep, error_list, problem_errors, redirect, render

router = APIRouter(prefix="/profile")
CRUMBS = [{"text": "Home", "href": "/"}]
PROFILE_CRUMBS = [*CRUMBS, {"text": "My Profile", "href": "/profile"}]


@router.get("")
async def profile(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Your account, organisations and roles."""
    me = await gateway.profile(user.session)
    user.session.profile = me
    user.session.changed = True
    names = organisation_names(await gateway.organisations(user.session))
    return render(
        request, "profile.jinja", {"title": "My Profile", "me": me, "names": names, "breadcrumbs": CRUMBS}
    )


@router.get("/notification-preferences")
async def preferences_page(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Which emails you receive."""
    me = await gateway.profile(user.session)
    return render(
        request,
        "preferences.jinja",
        {
            "title": "Notification preferences",
            "preferences": me["preferences"],
            "breadcrumbs": PROFILE_CRUMBS,
        },
    )


@router.post("/notification-preferences")
async def change_preferences(
    request: Request,
    user: UserDep,
    gateway: GatewayDep,
    emails: Annotated[list[str] | None, Form()] = None,
    how_often: Annotated[str, Form()] = "immediately",
) -> Response:
    """Save the choice of emails: which, and how often (as they happen, or a daily digest)."""
    chosen = set(emails or [])
    await gateway.change_preferences(
        user.session,
        task_emails="tasks" in chosen,
        message_emails="messages" in chosen,
        daily_digest=how_often == "daily",
    )
    user.session.say("Your notification preferences have been saved")
    return redirect("/profile")


@router.get("/disable")
async def disable_page(request: Request, user: UserDep) -> Response:
    """Disable your account: the reason list."""
    return _disable_form(request, {}, "", "")


def _disable_form(request: Request, errors: dict[str, str], reason: str, reason_text: str) -> Response:
    return render(
        request,
        "disable_own.jinja",
        {
            "title": "Disable your account",
            "reasons": DISABLE_REASONS,
            "max": OTHER_REASON_MAX,
            "reason": reason,
            "reason_text": reason_text,
            "field_errors": errors,
            "errors": error_list(errors),
            "back": {"href": "/profile"},
        },
        status_code=400 if errors else 200,
    )


@router.post("/disable")
async def disable(
    request: Request,
    user: UserDep,
    gateway: GatewayDep,
    reason: Annotated[str, Form()] = "",
    reason_text: Annotated[str, Form()] = "",
) -> Response:
    """Disable your own account; you are logged out and cannot log in again."""
    errors = disable_reason_errors(reason, reason_text)
    if not errors:
        try:
            await gateway.disable_own_account(user.session, reason, reason_text.strip() or None)
        except ApiProblem as problem:
            errors = problem_errors(problem, {"reason": "reason", "reason_text": "reason_text"}, "reason")
    if errors:
        return _disable_form(request, errors, reason, reason_text)
    store = request.app.state.store
    await store.delete(user.session)
    request.state.session = store.new()
    return render(request, "disabled_own.jinja", {"title": "Your account has been disabled"})
