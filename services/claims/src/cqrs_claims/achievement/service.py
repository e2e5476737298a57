"""Achievement use cases: payment rules of a service, a practice's and a PCN's achievement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from cqrs_claims.achievement.domain.calculation import PracticeResult, calculate_practice
from cqrs_claims.achievement.domain.numbers import hundredths
from cqrs_claims.achievement.domain.rules import MissingPrevalence, PaymentRules, build_rules
from cqrs_claims.achievement.store import AchievementStore
from cqrs_contracts.events import AchievementExtracted
from cqrs_kit.directory import Directory
from cqrs_kit.runtime import Runtime


@dataclass(frozen=True)
class ProviderAchievement:
    """What a provider (a practice, or a PCN through its practices) achieved on a date."""

    provider: str
    achievement_date: dt.date
    practices: tuple[PracticeResult, ...]
    extraction_ids: tuple[str, ...]

    @property
    def pence(self) -> int:
        """The provider's payment: the sum of its practices' pence."""
        return sum(p.pence for p in self.practices)

    @property
    def points_hundredths(self) -> int:
        """The provider's points in hundredths (half up), as events carry them."""
        return hundredths(sum((p.points for p in self.practices), Fraction(0)))


class Achievement:
    """Reads rules and extractions and calculates; stores nothing but what it is given."""

    def __init__(self, store: AchievementStore, directory: Directory) -> None:
        self.store = store
        self.directory = directory

    @classmethod
    def of(cls, runtime: Runtime) -> Achievement:
        """The achievement use cases of a service's runtime."""
        return cls(AchievementStore(runtime.mongo), runtime.directory)

    async def rules(self, quality_service_id: str) -> PaymentRules | None:
        """A service's payment rules, once it is published and its payment settings are set."""
        service = await self.store.service(quality_service_id)
        settings = await self.store.settings(quality_service_id)
        if service is None or settings is None or not service.domains:
            return None
        try:
            return build_rules(service, settings)
        except MissingPrevalence:
            return None  # a newer version added a prevalence-adjusted indicator: wait for settings

    async def practice(
        self, rules: PaymentRules, practice: str, on: dt.date | None = None
    ) -> tuple[AchievementExtracted, PracticeResult] | None:
        """A practice's newest extraction (on or before ``on``) and what it earns."""
        extraction = await self.store.latest(rules.quality_service_id, practice, on)
        if extraction is None:
            return None
        result = calculate_practice(rules, practice, extraction.list_size, extraction.indicators)
        return extraction, result

    async def provider(
        self, rules: PaymentRules, provider: str, on: dt.date | None = None
    ) -> ProviderAchievement | None:
        """A practice's achievement, or a PCN's: the practices that belonged to it on the date."""
        if rules.declaration_level == "practice":
            found = await self.practice(rules, provider, on)
            if found is None:
                return None
            extraction, result = found
            return ProviderAchievement(
                provider, extraction.achievement_date, (result,), (extraction.extraction_id,)
            )
        dates = [
            d for d in await self.store.achievement_dates(rules.quality_service_id) if on is None or d <= on
        ]
        if not dates:
            return None
        day = dates[0]
        results, ids = [], []
        for practice in sorted(await self.directory.pcn_practices(provider, day)):
            found = await self.practice(rules, practice, day)
            if found is not None:
                ids.append(found[0].extraction_id)
                results.append(found[1])
        if not results:
            return None
        return ProviderAchievement(provider, day, tuple(results), tuple(ids))

    async def provider_of(self, rules: PaymentRules, practice: str, on: dt.date) -> str | None:
        """Who declares a practice's achievement: the practice, or its PCN on the date."""
        if rules.declaration_level == "practice":
            return practice
        return await self.directory.practice_pcn(practice, on)
