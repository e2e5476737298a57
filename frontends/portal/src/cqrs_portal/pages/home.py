"""The home page: the menu tiles of what the signed-in user may do, and the static pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.web import UserDep, render

router = APIRouter()


@router.get("/")
async def home(request: Request, user: UserDep) -> Response:
    """Menu tiles for the user's roles."""
    return render(request, "home.jinja", {"title": "Home", "column": "nhsuk-grid-column-full"})


@router.get("/administrative-tasks")
async def administrative_tasks(request: Request, user: UserDep) -> Response:
    """Administrative Tasks › Manage Org's & Users: clusters and allocated reports."""
    return render(
        request,
        "administrative.jinja",
        {"title": "Manage Org's & Users", "breadcrumbs": [{"text": "Home", "href": "/"}]},
    )


@router.get("/accessibility")
async def accessibility(request: Request) -> Response:
    """The accessibility statement."""
    return render(request, "accessibility.jinja", {"title": "Accessibility statement"})


@router.get("/help")
async def help_page(request: Request) -> Response:
    """Where to get help."""
    return render(request, "help.jinja", {"title": "Help"})
