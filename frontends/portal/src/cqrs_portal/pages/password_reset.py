"""Forgotten password: ask for an emailed link, then choose a new password from it (public pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from cqrs_portal.gateway import ApiProblem
from cqrs_portal.web import GatewayDep, error_list, problem_errors, redirect, render

router = APIRouter()
BACK_TO_LOGIN = {"href": "/login", "text": "Back to log in"}


def _ask_page(request: Request, email: str, errors: dict[str, str]) -> Response:
    return render(
        request,
        "password_forgotten.jinja",
        {
            "title": "Reset your password",
            "email": email,
            "field_errors": errors,
            "errors": error_list(errors),
            "back": BACK_TO_LOGIN,
        },
        status_code=400 if errors else 200,
    )


@router.get("/forgotten-password")
async def forgotten_password(request: Request) -> Response:
    """Forgotten your password? Enter your email address to be sent a link."""
    return _ask_page(request, "", {})


@router.post("/forgotten-password")
async def ask_for_link(request: Request, gateway: GatewayDep, email: Annotated[str, Form()] = "") -> Response:
    """Send the link; the answer is the same whether or not the address has an account."""
    errors: dict[str, str] = {}
    if not email.strip():
        errors["email"] = "Enter your email address"
    else:
        try:
            answer = await gateway.ask_password_reset(email.strip())
        except ApiProblem as problem:
            if problem.status == 422:
                errors["email"] = "Enter an email address in the correct format, like name@example.com"
            else:
                errors["email"] = problem.detail
    if errors:
        return _ask_page(request, email, errors)
    return render(
        request,
        "password_link_sent.jinja",
        {"title": "Check your email", "email": email.strip(), "answer": answer, "back": BACK_TO_LOGIN},
    )


def _choose_page(request: Request, token: str, errors: dict[str, str]) -> Response:
    return render(
        request,
        "password_choose.jinja",
        {
            "title": "Choose a new password",
            "token": token,
            "field_errors": errors,
            "errors": error_list(errors),
        },
        status_code=400 if errors else 200,
    )


@router.get("/reset-password")
async def reset_password(request: Request, token: str = "") -> Response:
    """The emailed link's page: choose a new password."""
    if not token:
        return redirect("/forgotten-password")
    return _choose_page(request, token, {})


@router.post("/reset-password")
async def choose_password(
    request: Request,
    gateway: GatewayDep,
    token: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Save the new password (the link then stops working and every session ends)."""
    errors: dict[str, str] = {}
    if not password:
        errors["password"] = "Enter a new password"  # noqa: S105 - an error message, not a secret
    elif password != confirm:
        errors["confirm"] = "The passwords do not match"
    if not errors:
        try:
            await gateway.complete_password_reset(token, password)
        except ApiProblem as problem:
            errors = problem_errors(problem, {"password": "password", "token": "password"}, "password")
    if errors:
        return _choose_page(request, token, errors)
    request.state.session.say("Your password has been changed. Log in with your new password.")
    return redirect("/login")
