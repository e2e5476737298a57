"""HTTP routes of achievement: payment settings, a practice's breakdown, Network achievement."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from cqrs_claims.achievement.domain.calculation import PracticeResult
from cqrs_claims.achievement.domain.numbers import money, shown
from cqrs_claims.achievement.domain.rules import MissingPrevalence, PaymentRules, PaymentSettings, build_rules
from cqrs_claims.achievement.handlers import refresh_service
from cqrs_claims.achievement.service import Achievement
from cqrs_claims.achievement.views import Breakdown, PracticeView, breakdown, practice_view
from cqrs_claims.declarations import access
from cqrs_claims.declarations.keys import KeyPath, OdsPath
from cqrs_claims.declarations.service import Declarations
from cqrs_kit.auth import CurrentUser, Principal
from cqrs_kit.errors import DomainError, NotFound
from cqrs_kit.runtime import Runtime, RuntimeDep

router = APIRouter(prefix="/achievement", tags=["achievement"])
Ods = Annotated[str, Query(pattern=r"^[A-Z0-9]{3,12}$")]


class IndicatorTotal(BaseModel):
    """One indicator across the PCN's practices: counts added up, points and pence summed."""

    indicator_id: str
    numerator: int
    denominator: int
    personalised_care_adjustments: int
    points: str
    pence: int


class NetworkAchievement(BaseModel):
    """The Network achievement dashboard: a PCN's and its practices' achievement on a date."""

    pcn_ods_code: str
    quality_service_id: str
    financial_year: str
    achievement_date: dt.date
    achievement_dates: list[dt.date]
    points: str
    pence: int
    pounds: str
    indicators: list[IndicatorTotal]
    practices: list[PracticeView]


async def _rules(runtime: Runtime, quality_service_id: str) -> tuple[Achievement, PaymentRules]:
    achievement = Achievement.of(runtime)
    rules = await achievement.rules(quality_service_id)
    if rules is None:
        raise NotFound(f"{quality_service_id} has no payment rules yet", field="quality_service_id")
    return achievement, rules


async def _may_see(runtime: Runtime, principal: Principal, organisation: str) -> None:
    if not await access.may_see(runtime.directory, principal, organisation):
        raise NotFound(f"no achievement of {organisation} that you may see", field="organisation")


@router.put("/services/{quality_service_id}/payment-settings")
async def set_payment_settings(
    quality_service_id: KeyPath,
    body: PaymentSettings,
    user: CurrentUser,
    runtime: RuntimeDep,
    request: Request,
) -> PaymentSettings:
    """Set a published national service's price per point, national averages and rounding
    (Commissioning Management at the service's commissioner); open declarations are recalculated."""
    achievement = Achievement.of(runtime)
    service = await achievement.store.service(quality_service_id)
    if service is None or not service.domains:
        raise NotFound(f"no published national service {quality_service_id}", field="quality_service_id")
    await runtime.directory.require(user, "Commissioning Management", service.commissioner_organisation_id)
    try:
        rules = build_rules(service, body)
    except MissingPrevalence as exc:
        raise DomainError(str(exc), field="national_prevalence") from exc
    await achievement.store.save_settings(quality_service_id, body)
    await refresh_service(Declarations(runtime), rules, "payment_rules", request.state.correlation_id)
    return body


@router.get("/services/{quality_service_id}/payment-settings")
async def get_payment_settings(
    quality_service_id: KeyPath, user: CurrentUser, runtime: RuntimeDep
) -> PaymentSettings:
    """A service's payment settings."""
    settings = await Achievement.of(runtime).store.settings(quality_service_id)
    if settings is None:
        raise NotFound(f"{quality_service_id} has no payment settings", field="quality_service_id")
    return settings


@router.get("/services/{quality_service_id}/practices/{practice}/breakdown")
async def practice_breakdown(
    quality_service_id: KeyPath,
    practice: OdsPath,
    user: CurrentUser,
    runtime: RuntimeDep,
    achievement_date: dt.date | None = None,
) -> Breakdown:
    """Step by step, how a practice's achievement turns into points and pence (newest data on or
    before ``achievement_date``)."""
    await _may_see(runtime, user, practice)
    achievement, rules = await _rules(runtime, quality_service_id)
    found = await achievement.practice(rules, practice, achievement_date)
    if found is None:
        raise NotFound(f"no achievement of {practice} for {quality_service_id}", field="practice")
    extraction, result = found
    return breakdown(practice, quality_service_id, extraction.achievement_date, [result])


@router.get("/network")
async def network_achievement(
    *,
    user: CurrentUser,
    runtime: RuntimeDep,
    pcn: Ods,
    quality_service_id: Annotated[str, Query(min_length=1, max_length=300, pattern=r"^[^\x00-\x1f\x7f/]+$")],
    financial_year: Annotated[str, Query(pattern=r"^\d{4}/\d{2}$")],
    achievement_date: dt.date | None = None,
) -> NetworkAchievement:
    """Network achievement: choose the financial year, the service and the latest achievement date;
    see the PCN's and its practices' points, pounds and indicators (the practices that belonged to
    the PCN on that date)."""
    await _may_see(runtime, user, pcn)
    achievement, rules = await _rules(runtime, quality_service_id)
    if rules.financial_year != financial_year:
        raise NotFound(f"{quality_service_id} is not a service of {financial_year}", field="financial_year")
    dates = await achievement.store.achievement_dates(quality_service_id)
    day = achievement_date or (dates[0] if dates else None)
    members = await runtime.directory.pcn_practices(pcn, day) if day else set()
    practices = []
    for practice in sorted(members):
        found = await achievement.practice(rules, practice, day)
        if found is not None:
            practices.append(found[1])
    if day is None or not practices:
        raise NotFound(f"no achievement of {pcn}'s practices for {quality_service_id}", field="pcn")
    return _network(
        pcn=pcn,
        quality_service_id=quality_service_id,
        financial_year=financial_year,
        day=day,
        dates=dates,
        practices=practices,
    )


def _network(
    *,
    pcn: str,
    quality_service_id: KeyPath,
    financial_year: str,
    day: dt.date,
    dates: list[dt.date],
    practices: list[PracticeResult],
) -> NetworkAchievement:
    totals: dict[str, IndicatorTotal] = {}
    points: dict[str, Fraction] = {}
    for practice in practices:
        for r in practice.indicators:
            t = totals.setdefault(
                r.indicator_id,
                IndicatorTotal(
                    indicator_id=r.indicator_id,
                    numerator=0,
                    denominator=0,
                    personalised_care_adjustments=0,
                    points="0",
                    pence=0,
                ),
            )
            t.numerator += r.numerator
            t.denominator += r.denominator
            t.personalised_care_adjustments += r.personalised_care_adjustments
            t.pence += r.pence
            points[r.indicator_id] = points.get(r.indicator_id, Fraction(0)) + r.points
    for key, total in totals.items():
        total.points = shown(points[key])
    pence = sum(p.pence for p in practices)
    return NetworkAchievement(
        pcn_ods_code=pcn,
        quality_service_id=quality_service_id,
        financial_year=financial_year,
        achievement_date=day,
        achievement_dates=dates,
        points=shown(sum((p.points for p in practices), Fraction(0))),
        pence=pence,
        pounds=money(Fraction(pence, 100)),
        indicators=list(totals.values()),
        practices=[practice_view(p, with_steps=False) for p in practices],
    )
