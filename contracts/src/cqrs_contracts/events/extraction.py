"""Events other NHS systems send in: a GP data extraction system's achievement figures.

CQRS does not extract data from GP systems itself: an extraction service (GPES in the live
service) counts, per practice and indicator, who is in the cohort and who met the indicator, and
sends the counts. The claims service calculates points and payments from them.
"""

import datetime as dt
from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cqrs_contracts import topics
from cqrs_contracts.events.base import Event
from cqrs_contracts.values import Count, FinancialYear, Id, OdsCode, UtcDatetime


class IndicatorCounts(BaseModel):
    """One indicator's counts at one practice on the achievement date.

    ``personalised_care_adjustments`` are the patients excepted from the denominator (PCAs,
    formerly "exceptions"); the cohort is ``denominator - personalised_care_adjustments``.
    ``register_size`` is the practice's disease register behind a prevalence-adjusted indicator
    (absent for indicators paid on list size alone).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    indicator_id: Id
    numerator: Count
    denominator: Count
    personalised_care_adjustments: Count = 0
    register_size: Count | None = None

    @model_validator(mode="after")
    def _counts_fit_the_cohort(self) -> Self:
        """Refuse counts no extraction makes: PCAs above the denominator, or more met than the cohort."""
        if self.personalised_care_adjustments > self.denominator:
            msg = (
                f"{self.indicator_id}: personalised_care_adjustments {self.personalised_care_adjustments} "
                f"exceed denominator {self.denominator}"
            )
            raise ValueError(msg)
        cohort = self.denominator - self.personalised_care_adjustments
        if self.numerator > cohort:
            msg = f"{self.indicator_id}: numerator {self.numerator} exceeds the cohort {cohort}"
            raise ValueError(msg)
        return self


class AchievementExtracted(Event):
    """A GP data extraction system sent one practice's achievement for one Quality Service.

    Sent by other NHS systems (never by CQRS itself). A later extraction for the same practice
    and service, with a later ``achievement_date`` or the same one re-aggregated, replaces the
    earlier figures; ``extraction_id`` identifies this one submission.
    """

    service: ClassVar[str] = "extraction"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.EXTRACTION_ACHIEVEMENT

    extraction_id: Id
    quality_service_id: Id
    financial_year: FinancialYear
    practice_ods_code: OdsCode
    achievement_date: dt.date
    list_size: Count
    indicators: list[IndicatorCounts] = Field(min_length=1)
    extracted_at: UtcDatetime

    def aggregate_id(self) -> str:
        """Key by service and practice, so one practice's extractions are read in order."""
        return f"{self.quality_service_id}:{self.practice_ods_code}"

    @model_validator(mode="after")
    def _one_row_per_indicator(self) -> Self:
        """Refuse an extraction naming an indicator twice: which row would be paid?"""
        seen: set[str] = set()
        for row in self.indicators:
            if row.indicator_id in seen:
                msg = f"indicator {row.indicator_id} appears more than once"
                raise ValueError(msg)
            seen.add(row.indicator_id)
        return self
