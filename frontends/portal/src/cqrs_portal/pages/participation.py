"""Participation Management's landing page and what its pages share: the sub-tabs, the financial
years offered in filters, and the offer statuses of the guides."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.web import User, UserDep, render

router = APIRouter(prefix="/participation")
HOME = {"text": "Home", "href": "/"}
PARTICIPATION = {"text": "Participation Management", "href": "/participation"}
STATUSES = ("Offered", "Approved", "Rejected", "Cancelled")
STATUS_COLOURS = {"Offered": "blue", "Approved": "green", "Rejected": "red", "Cancelled": "grey"}


def financial_year_of(day: dt.date) -> str:
    """The financial year a day falls in, written 2025/26."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def financial_years(today: dt.date | None = None) -> list[str]:
    """The years a Financial Year filter offers: next year, this year (the default) and four before."""
    this = int(financial_year_of(today or dt.datetime.now(dt.UTC).date())[:4])
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(this + 1, this - 5, -1)]


def current_year() -> str:
    """This financial year (lists show it by default)."""
    return financial_year_of(dt.datetime.now(dt.UTC).date())


def status_items() -> list[dict[str, str]]:
    """The Status filter's choices: All, then the four statuses of the guides."""
    return [{"value": "", "text": "All"}] + [{"value": s, "text": s} for s in STATUSES]


def tabs(user: User, current: str) -> list[dict[str, object]]:
    """The sub-tabs the user's roles give them."""
    found: list[dict[str, object]] = []
    if user.commissions:
        found += [
            {"text": "Create Offers", "href": "/participation/create-offers"},
            {"text": "Offered Services", "href": "/participation/offered-services"},
        ]
    if user.manages_services:
        found.append({"text": "My Services", "href": "/participation/my-services"})
    if found:
        found.append({"text": "Service Requests", "href": "/participation/service-requests"})
    for tab in found:
        tab["current"] = tab["text"] == current
    return found


@router.get("")
async def participation(request: Request, user: UserDep) -> Response:
    """The sub-tabs of Participation Management for the user's roles."""
    return render(
        request,
        "participation.jinja",
        {"title": "Participation Management", "tabs": tabs(user, ""), "breadcrumbs": [HOME, PARTICIPATION]},
    )
