"""Logging in and out. The tokens identity returns stay in the server-side session."""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from cqrs_portal.gateway import ApiProblem
from cqrs_portal.web import GatewayDep, error_list, redirect, render, safe_path, session_of

router = APIRouter()


@router.get("/login")
async def login_page(request: Request, next: str | None = None) -> Response:
    """The login form."""
    if session_of(request).signed_in:
        return redirect(safe_path(next))
    return render(request, "login.jinja", {"title": "Log in", "next": safe_path(next), "values": {}})


@router.post("/login")
async def login(
    request: Request,
    gateway: GatewayDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Log in with email and password; a new session id is issued for the signed-in user."""
    errors: dict[str, str] = {}
    if not email.strip():
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"  # noqa: S105 - an error message, not a secret
    if not errors:
        try:
            tokens = await gateway.login(email.strip(), password)
        except ApiProblem as problem:
            errors["email"] = _login_refusal(problem)
        else:
            store = request.app.state.store
            old = session_of(request)
            await store.delete(old)
            session = store.renewed(old)
            session.keep_tokens(tokens)
            profile = await gateway.profile(session)
            session.user_id = profile["user_id"]
            session.name = f"{profile['first_name']} {profile['last_name']}"
            session.profile = profile
            request.state.session = session
            return redirect(safe_path(next))
    return render(
        request,
        "login.jinja",
        {
            "title": "Log in",
            "next": safe_path(next),
            "values": {"email": email},
            "errors": error_list(errors),
            "field_errors": errors,
        },
        status_code=400 if errors else 200,
    )


def _login_refusal(problem: ApiProblem) -> str:
    if problem.status == 401:
        return "The email address or password is not right"
    if problem.status == 422 and problem.field_message("email"):
        return "Enter an email address in the correct format, like name@example.com"
    return problem.detail


@router.post("/logout")
async def logout(request: Request, gateway: GatewayDep) -> Response:
    """Log out: the refresh token stops working and the session is forgotten."""
    session = session_of(request)
    if session.refresh_token:
        with contextlib.suppress(ApiProblem):  # the session is forgotten here whatever identity says
            await gateway.logout(session.refresh_token)
    store = request.app.state.store
    await store.delete(session)
    fresh = store.new()
    fresh.say("You have logged out")
    request.state.session = fresh
    return redirect("/login")
