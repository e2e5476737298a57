"""How achievement figures are shown over HTTP: exact decimals as text, money in pence and £."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from pydantic import BaseModel

from cqrs_claims.achievement.domain.calculation import IndicatorResult, PracticeResult
from cqrs_claims.achievement.domain.numbers import money, shown


class StepView(BaseModel):
    """One step of an explanation."""

    name: str
    working: str
    result: str


class IndicatorView(BaseModel):
    """One indicator's figures; decimals as text (exact, or to 6 places marked ≈)."""

    indicator_id: str
    domain: str
    numerator: int
    denominator: int
    personalised_care_adjustments: int
    cohort: int
    achievement_percent: str | None
    points: str
    maximum_points: str
    cpi: str
    apdf: str | None
    pence: int
    pounds: str
    steps: list[StepView]


class PracticeView(BaseModel):
    """A practice's achievement for one service, indicator by indicator."""

    practice_ods_code: str
    list_size: int
    points: str
    pence: int
    pounds: str
    indicators: list[IndicatorView]
    not_paid: list[str]


class Breakdown(BaseModel):
    """The step-by-step figures behind a payment: per practice, per indicator."""

    provider_organisation_id: str
    quality_service_id: str
    achievement_date: dt.date
    points: str
    pence: int
    pounds: str
    practices: list[PracticeView]


def _opt(value: Fraction | None) -> str | None:
    return None if value is None else shown(value)


def indicator_view(result: IndicatorResult, *, with_steps: bool = True) -> IndicatorView:
    """An indicator's figures as shown."""
    return IndicatorView(
        indicator_id=result.indicator_id,
        domain=result.domain,
        numerator=result.numerator,
        denominator=result.denominator,
        personalised_care_adjustments=result.personalised_care_adjustments,
        cohort=result.cohort,
        achievement_percent=_opt(result.achievement),
        points=shown(result.points),
        maximum_points=shown(result.maximum_points),
        cpi=shown(result.cpi),
        apdf=_opt(result.apdf),
        pence=result.pence,
        pounds=money(Fraction(result.pence, 100)),
        steps=[StepView(name=s.name, working=s.working, result=s.result) for s in result.steps]
        if with_steps
        else [],
    )


def practice_view(result: PracticeResult, *, with_steps: bool = True) -> PracticeView:
    """A practice's figures as shown."""
    return PracticeView(
        practice_ods_code=result.practice_ods_code,
        list_size=result.list_size,
        points=shown(result.points),
        pence=result.pence,
        pounds=money(Fraction(result.pence, 100)),
        indicators=[indicator_view(r, with_steps=with_steps) for r in result.indicators],
        not_paid=list(result.not_paid),
    )


def breakdown(
    provider: str, quality_service_id: str, day: dt.date, practices: list[PracticeResult]
) -> Breakdown:
    """The explanation of a provider's payment."""
    pence = sum(p.pence for p in practices)
    return Breakdown(
        provider_organisation_id=provider,
        quality_service_id=quality_service_id,
        achievement_date=day,
        points=shown(sum((p.points for p in practices), Fraction(0))),
        pence=pence,
        pounds=money(Fraction(pence, 100)),
        practices=[practice_view(p) for p in practices],
    )
