"""Realistic ``AchievementExtracted`` events, as a GP data extraction system would send them.

Other NHS systems produce achievement data; the demo data, tests and benchmarks produce it here,
deterministically from a seed. Figures follow the shape of published QOF data: list sizes around
the national average of about 10,000, registers at a disease's prevalence, most of the cohort
meeting the indicator and a few per cent personalised care adjustments.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from cqrs_contracts.events.extraction import AchievementExtracted, IndicatorCounts

_WHEN = dt.datetime(2025, 4, 3, 6, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class IndicatorProfile:
    """How one indicator's counts look: the share of the list in its register, if any, and the
    share of the list in its denominator when it is not register-based."""

    indicator_id: str
    prevalence: float | None
    population_share: float = 0.3


QOF_LIKE: tuple[IndicatorProfile, ...] = (
    IndicatorProfile("HYP008", 0.144),
    IndicatorProfile("DM020", 0.074),
    IndicatorProfile("CHD015", 0.030),
    IndicatorProfile("AST007", 0.065),
    IndicatorProfile("DEM004", 0.007),
    IndicatorProfile("CHOL001", 0.085),
    IndicatorProfile("CS005", None, 0.25),
    IndicatorProfile("SMOK002", None, 0.20),
    IndicatorProfile("QI001", None, 1.0),
)
"""A handful of indicators named as in QOF 2023/24, register-based or list-based."""


def profiles(count: int) -> list[IndicatorProfile]:
    """``count`` indicators: the QOF-like ones, then made-up ones alternating register and list."""
    made = list(QOF_LIKE[:count])
    for number in range(len(made), count):
        prevalence = None if number % 3 == 0 else 0.005 + (number % 17) * 0.006
        made.append(IndicatorProfile(f"IND{number:03d}", prevalence))
    return made


def extraction(
    rng: random.Random,
    *,
    quality_service_id: str,
    financial_year: str,
    practice_ods_code: str,
    achievement_date: dt.date,
    indicators: Sequence[IndicatorProfile],
    list_size: int | None = None,
) -> AchievementExtracted:
    """One practice's extraction with plausible counts for every indicator."""
    size = list_size if list_size is not None else max(800, int(rng.gauss(10_000, 4_000)))
    rows: list[IndicatorCounts] = []
    for profile in indicators:
        register = None
        if profile.prevalence is not None:
            register = max(0, int(size * profile.prevalence * rng.uniform(0.6, 1.4)))
            denominator = register
        else:
            denominator = int(size * profile.population_share * rng.uniform(0.8, 1.2))
        pcas = int(denominator * rng.uniform(0.0, 0.08))
        cohort = denominator - pcas
        numerator = int(cohort * min(1.0, max(0.0, rng.gauss(0.8, 0.12))))
        rows.append(
            IndicatorCounts(
                indicator_id=profile.indicator_id,
                numerator=numerator,
                denominator=denominator,
                personalised_care_adjustments=pcas,
                register_size=register,
            )
        )
    return AchievementExtracted(
        extraction_id=str(uuid.UUID(int=rng.getrandbits(128))),
        quality_service_id=quality_service_id,
        financial_year=financial_year,
        practice_ods_code=practice_ods_code,
        achievement_date=achievement_date,
        list_size=size,
        indicators=rows,
        extracted_at=_WHEN,
    )


def extractions(
    practices: Sequence[str],
    *,
    quality_service_id: str = "qs-qof-2024",
    financial_year: str = "2024/25",
    achievement_date: dt.date = dt.date(2025, 3, 31),
    indicators: Sequence[IndicatorProfile] = QOF_LIKE,
    seed: int = 2025,
) -> Iterator[AchievementExtracted]:
    """One extraction per practice, the same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    for practice in practices:
        yield extraction(
            rng,
            quality_service_id=quality_service_id,
            financial_year=financial_year,
            practice_ods_code=practice,
            achievement_date=achievement_date,
            indicators=indicators,
        )


def practice_codes(count: int, prefix: str = "P") -> list[str]:
    """``count`` ODS-shaped practice codes (``P00001``…), for demo data and benchmarks."""
    return [f"{prefix}{number:05d}" for number in range(1, count + 1)]
