"""The claims app on the real stack with the standard organisation tree, and shortcuts the
achievement and declaration tests share (publish a national service, set its money, extract)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from cqrs_claims.app import create_app
from cqrs_contracts.envelope import envelope_for
from cqrs_contracts.events import AchievementExtracted, Event, IndicatorCounts, QualityServicePublished
from cqrs_contracts.events.quality_service import Indicator, IndicatorDomain
from cqrs_kit.app import runtime_of
from cqrs_kit.runtime import Runtime
from cqrs_kit.testing import bearer, grant, isolated_settings, running_app, seed_standard_tree, skip_history

API = "/api/claims"
TOPICS = (AchievementExtracted.topic, QualityServicePublished.topic, "cqrs.identity.organisation")
DAY = dt.date(2025, 3, 31)
COMMISSIONER = bearer(grant("Commissioning Management", "QWE"))


def national_service(quality_service_id: str, **changes: Any) -> QualityServicePublished:
    """A QOF-like service of 2024/25 commissioned by QWE: CHOL001 (list-based), HYP008 (prevalence)."""
    values: dict[str, Any] = {
        "quality_service_id": quality_service_id,
        "service_version": 1,
        "commissioner_organisation_id": "QWE",
        "national": True,
        "financial_year": "2024/25",
        "payment_type": "QOF",
        "service_name": "Quality and Outcomes Framework",
        "start_date": dt.date(2024, 4, 1),
        "end_date": dt.date(2025, 3, 31),
        "paycode": "QOF",
        "claim_mode": "single",
        "declaration_required": True,
        "approval_required": True,
        "domains": [
            IndicatorDomain(
                domain="Clinical",
                indicators=[
                    Indicator(
                        indicator_id="CHOL001",
                        description="Statins",
                        lower_threshold_percent=70,
                        upper_threshold_percent=95,
                        maximum_points=14,
                        prevalence_adjusted=False,
                    ),
                    Indicator(
                        indicator_id="HYP008",
                        description="Blood pressure",
                        lower_threshold_percent=45,
                        upper_threshold_percent=80,
                        maximum_points=20,
                        prevalence_adjusted=True,
                    ),
                ],
            )
        ],
        "published_by": "user-commissioner",
        "published_at": dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
    }
    values.update(changes)
    return QualityServicePublished(**values)


SETTINGS: dict[str, Any] = {
    "price_per_point_pence": 22062,
    "national_average_list_size": 9964,
    "national_prevalence": {"HYP008": "0.144"},
}


def extraction(
    quality_service_id: str, practice: str, met: int = 850, *, day: dt.date = DAY
) -> AchievementExtracted:
    """One practice's extraction: CHOL001 ``met`` of 960 after PCAs, HYP008 1,008 of 1,440."""
    return AchievementExtracted(
        extraction_id=str(uuid.uuid4()),
        quality_service_id=quality_service_id,
        financial_year="2024/25",
        practice_ods_code=practice,
        achievement_date=day,
        list_size=12000,
        indicators=[
            IndicatorCounts(
                indicator_id="CHOL001", numerator=met, denominator=1000, personalised_care_adjustments=40
            ),
            IndicatorCounts(
                indicator_id="HYP008",
                numerator=1008,
                denominator=1500,
                personalised_care_adjustments=60,
                register_size=1800,
            ),
        ],
        extracted_at=dt.datetime.now(dt.UTC),
    )


class Claims:
    """The running app, its runtime, and a way to hand it events as its consumer would."""

    def __init__(self, client: httpx.AsyncClient, runtime: Runtime) -> None:
        self.client = client
        self.runtime = runtime

    async def deliver(self, event: Event, *, envelope_id: str | None = None) -> None:
        """Run the handler the consumer would run for this event (twice with the same envelope id
        is a repeated delivery)."""
        handler = self.runtime.consumer._handlers[event.topic][event.ce_type()]
        envelope = envelope_for(event, source="/test", correlation_id="test")
        if envelope_id is not None:
            envelope = envelope.model_copy(update={"id": envelope_id})
        await handler(event, envelope)

    async def national_service(self, level: str = "practice", **changes: Any) -> str:
        """Publish a national service and set its payment settings; its id."""
        service = f"qs-{uuid.uuid4().hex[:8]}"
        await self.deliver(national_service(service, **changes))
        body = {**SETTINGS, "declaration_level": level}
        response = await self.client.put(
            f"{API}/achievement/services/{service}/payment-settings", json=body, headers=COMMISSIONER
        )
        assert response.status_code == 200, response.text
        return service

    async def declaration(self, key: str, headers: dict[str, str]) -> dict[str, Any]:
        """One declaration as the API shows it."""
        response = await self.client.get(f"{API}/declarations/{key}", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@asynccontextmanager
async def claims_app(**overrides: Any) -> AsyncIterator[Claims]:
    """A claims app on its own database and consumer group, with the standard tree seeded."""
    settings = isolated_settings("claims", **overrides)
    # only what the test hands over: no other run's organisations or extractions from shared topics
    await skip_history(settings.group, *TOPICS)
    app = create_app(settings)
    async with running_app(app) as client:
        runtime = runtime_of(app)
        await seed_standard_tree(runtime.directory)
        yield Claims(client, runtime)
