"""Data submission › Network achievement: choose the financial year, the service and the latest
achievement date, and see a PCN's points and payment by practice as a chart drawn on the server
(SVG, no JavaScript) with the same figures as a table."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.gateway import ApiProblem, Gateway
from cqrs_portal.pages.participation import current_year, financial_years
from cqrs_portal.web import GatewayDep, User, UserDep, organisations_in_scope, render

router = APIRouter(prefix="/data-submission")
HOME = {"text": "Home", "href": "/"}
DATA = {"text": "Data submission", "href": "/data-submission"}
PAGE = "/data-submission/network-achievement"
CHART_WIDTH = 640
LABEL_WIDTH = 90
BAR_HEIGHT = 24
GAP = 8


@dataclass(frozen=True)
class Bar:
    """One practice's bar: its label, points, payment and where it is drawn."""

    practice: str
    points: str
    pounds: str
    y: int
    width: int


def _number(text: str) -> Decimal:
    try:
        return Decimal(text.removeprefix("≈"))
    except InvalidOperation:
        return Decimal(0)


def bars(practices: list[dict[str, Any]]) -> list[Bar]:
    """The chart's bars: the practice with most points fills the width, the rest in proportion."""
    most = max((_number(p["points"]) for p in practices), default=Decimal(0))
    room = CHART_WIDTH - LABEL_WIDTH - 80
    return [
        Bar(
            practice=p["practice_ods_code"],
            points=p["points"],
            pounds=p["pounds"],
            y=i * (BAR_HEIGHT + GAP),
            width=int(_number(p["points"]) / most * room) if most else 0,
        )
        for i, p in enumerate(practices)
    ]


async def pcns_of(user: User, gateway: Gateway) -> list[str]:
    """The PCNs the user's organisations are or are above."""
    try:
        every = {o["ods_code"] for o in await gateway.organisations(user.session, kind="PCN")}
    except ApiProblem:
        return sorted(o for o in user.roles_at() if o.startswith("U"))
    return sorted(every & await organisations_in_scope(user, gateway))


async def services_of(user: User, gateway: Gateway, year: str) -> list[dict[str, str]]:
    """The year's services with achievement: published national services with indicators the user
    sees in participation's catalogue (commissioners), and the services of the declarations the
    user may see (practices and PCNs, whom the catalogue does not list)."""
    found: dict[str, str] = {}
    try:
        for s in (await gateway.quality_services(user.session, financial_year=year))["items"]:
            if s.get("published") and s["published"][-1].get("domains"):
                found[s["quality_service_id"]] = s["service_name"] or s["quality_service_id"]
    except ApiProblem:
        pass
    try:
        page = await gateway.declarations(user.session, status=None, quality_service_id=None)
    except ApiProblem:
        page = {"items": []}
    for d in page["items"]:
        if d["financial_year"] == year:
            found.setdefault(d["quality_service_id"], d["quality_service_id"])
    return [{"value": k, "text": v} for k, v in sorted(found.items(), key=lambda kv: kv[1])]


@router.get("")
async def data_submission(request: Request, user: UserDep) -> Response:
    """The Data submission tab: its Network achievement sub-tab."""
    return render(request, "data_submission.jinja", {"title": "Data submission", "breadcrumbs": [HOME, DATA]})


@router.get("/network-achievement")
async def network_achievement(
    request: Request,
    user: UserDep,
    gateway: GatewayDep,
    financial_year: str = "",
    quality_service_id: str = "",
    pcn: str = "",
    achievement_date: str = "",
) -> Response:
    """Network achievement of a PCN on the latest achievement date chosen."""
    year = financial_year if financial_year in financial_years() else current_year()
    pcns = await pcns_of(user, gateway)
    services = await services_of(user, gateway, year)
    chosen_pcn = pcn if pcn in pcns else (pcns[0] if len(pcns) == 1 else "")
    found: dict[str, Any] | None = None
    errors: dict[str, str] = {}
    if quality_service_id or pcn:
        if not chosen_pcn:
            errors["pcn"] = "Select the Primary Care Network"
        if quality_service_id not in {s["value"] for s in services}:
            errors["quality_service_id"] = f"Select a service of {year}"
    if not errors and chosen_pcn and quality_service_id:
        try:
            found = await gateway.network_achievement(
                user.session,
                pcn=chosen_pcn,
                quality_service_id=quality_service_id,
                financial_year=year,
                day=achievement_date or None,
            )
        except ApiProblem as problem:
            if problem.status not in {404, 422}:
                raise
            errors["quality_service_id"] = f"There is no achievement for {chosen_pcn}: {problem.detail}"
    return render(
        request,
        "network_achievement.jinja",
        {
            "title": "Network achievement",
            "year_items": [{"value": y, "text": y} for y in financial_years()],
            "financial_year": year,
            "service_items": [{"value": "", "text": "Select a service"}, *services],
            "quality_service_id": quality_service_id,
            "pcn_items": [{"value": "", "text": "Select a PCN"}] + [{"value": p, "text": p} for p in pcns],
            "pcn": chosen_pcn,
            "found": found,
            "date_items": [{"value": d, "text": d} for d in (found or {}).get("achievement_dates", [])],
            "bars": bars(found["practices"]) if found else [],
            "chart": {"width": CHART_WIDTH, "label": LABEL_WIDTH, "bar": BAR_HEIGHT, "gap": GAP},
            "column": "nhsuk-grid-column-full",
            "breadcrumbs": [HOME, DATA, {"text": "Network achievement", "href": PAGE}],
            "field_errors": errors,
            "errors": [{"text": m, "href": f"#{k}"} for k, m in errors.items()],
        },
        status_code=400 if errors else 200,
    )
