"""The home page: the Message Centre, the menu tiles of what the signed-in user may do, and the
static pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from cqrs_portal.pages.message_centre import message_centre, pages_of
from cqrs_portal.web import GatewayDep, UserDep, render

router = APIRouter()


@router.get("/")
async def home(
    request: Request,
    user: UserDep,
    gateway: GatewayDep,
    tasks_page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    messages_page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """The Message Centre (tasks, messages, unread count) and menu tiles for the user's roles."""
    centre = await message_centre(gateway, user.session, user, tasks_page, messages_page)
    return render(
        request,
        "home.jinja",
        {
            "title": "Home",
            "column": "nhsuk-grid-column-full",
            "centre": centre,
            "tasks_page": tasks_page,
            "messages_page": messages_page,
            "tasks_pages": pages_of(centre.tasks),
            "messages_pages": pages_of(centre.messages),
        },
    )


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
