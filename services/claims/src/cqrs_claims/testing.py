"""The guide's services as test data: Complex Care Plans at £193.42 with a retainer, Ear Irrigation
needing evidence, Depot Antipsychotic Injections with a required confirmation (tests and bench)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from cqrs_claims.catalogue.domain import (
    ClaimableService,
    Component,
    Evidence,
    Question,
    ServiceVersion,
    Window,
)
from cqrs_contracts.events import Event, OfferAccepted, OfferMade, QualityServicePublished

PROVIDER = "A81001"
COMMISSIONER = "QWE"
EAR_INSTRUCTIONS = (
    "Please could you provide the name of the registered practice the patient belongs to. "
    "Please do not include any PID. Thanks"
)


def quarter(today: dt.date, *, starts: int = -10, days: int = 30, window_id: str = "q1") -> Window:
    """A claim window relative to today (open today by default)."""
    opens = today + dt.timedelta(days=starts)
    return Window(
        window_id=window_id,
        window_name=window_id.upper(),
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=days),
    )


def complex_care(
    windows: list[Window], *, mode: str = "multi", service_id: str = "qs-complex-care"
) -> ServiceVersion:
    """Complex Care: 12 plans are £2,321.04; a retainer with a note to read."""
    return ServiceVersion(
        quality_service_id=service_id,
        service_version=1,
        service_name="Complex Care",
        commissioner_organisation_id=COMMISSIONER,
        financial_year="2025/26",
        payment_type="Local",
        start_date=dt.date(2025, 4, 1),
        end_date=dt.date(2026, 3, 31),
        claim_mode=mode,  # type: ignore[arg-type]
        components=[
            Component(
                component_id="complex-care-plan",
                component_name="Complex Care Plans",
                kind="unit_priced",
                unit_price_pence=19342,
            ),
            Component(
                component_id="care-retainer",
                component_name="Care Home Retainer",
                kind="retainer",
                amount_pence=50000,
                information_note="Paid quarterly while the practice covers its care homes.",
            ),
        ],
        claim_windows=windows,
    )


def ear_irrigation(windows: list[Window], *, service_id: str = "qs-ear") -> ServiceVersion:
    """Ear Irrigation: an attachment is mandatory for 1 unit or more."""
    return ServiceVersion(
        quality_service_id=service_id,
        service_version=1,
        service_name="Ear Irrigation",
        commissioner_organisation_id=COMMISSIONER,
        financial_year="2025/26",
        payment_type="Local",
        start_date=dt.date(2025, 4, 1),
        end_date=dt.date(2026, 3, 31),
        claim_mode="multi",
        components=[
            Component(
                component_id="ear-irrigation",
                component_name="Ear Irrigation",
                kind="unit_priced",
                unit_price_pence=2500,
                evidence=Evidence(instructions=EAR_INSTRUCTIONS, accepted_file_types=["pdf", "docx"]),
            )
        ],
        claim_windows=windows,
    )


def depot(windows: list[Window], *, service_id: str = "qs-depot") -> ServiceVersion:
    """Depot Antipsychotic Injections: a required Yes and an optional clinician's name."""
    return ServiceVersion(
        quality_service_id=service_id,
        service_version=1,
        service_name="Depot Antipsychotic Injections",
        commissioner_organisation_id=COMMISSIONER,
        financial_year="2025/26",
        payment_type="Local",
        start_date=dt.date(2025, 4, 1),
        end_date=dt.date(2026, 3, 31),
        claim_mode="multi",
        components=[
            Component(
                component_id="depot-injection",
                component_name="Depot injection",
                kind="unit_priced",
                unit_price_pence=1500,
                questions=[
                    Question(
                        question_id="qualified-staff",
                        text="Depot injections were administered by a qualified member of staff",
                        kind="yes_no",
                        required=True,
                    ),
                    Question(
                        question_id="clinician", text="Name of the clinician", kind="text", required=False
                    ),
                ],
            )
        ],
        claim_windows=windows,
    )


def approved(service: ServiceVersion, provider: str = PROVIDER) -> ClaimableService:
    """The service as approved for the provider."""
    return ClaimableService(
        offer_id=f"offer-{service.quality_service_id}", provider_organisation_id=provider, service=service
    )


def published(service: ServiceVersion, *, published_at: dt.datetime | None = None) -> QualityServicePublished:
    """The QualityServicePublished participation would publish for this service version."""
    return QualityServicePublished.model_validate(
        {
            **service.model_dump(),
            "paycode": f"LCL-{service.quality_service_id}"[:40],
            "declaration_required": False,
            "approval_required": True,
            "published_by": "commissioner-1",
            "published_at": published_at or dt.datetime.now(dt.UTC),
        }
    )


def offer_accepted(service: ServiceVersion, provider: str, *, offer_id: str | None = None) -> list[Event]:
    """An offer of the service to the provider, made and then accepted (Approved)."""
    offer_id = offer_id or f"offer-{uuid.uuid4().hex[:12]}"
    now = dt.datetime.now(dt.UTC)
    common: dict[str, Any] = {
        "offer_id": offer_id,
        "quality_service_id": service.quality_service_id,
        "commissioner_organisation_id": service.commissioner_organisation_id,
        "provider_organisation_id": provider,
        "financial_year": service.financial_year,
    }
    return [
        OfferMade(
            **common,
            payment_type=service.payment_type,
            service_start=service.start_date,
            service_end=service.end_date,
            response_date=service.start_date,
            offered_at=now - dt.timedelta(seconds=1),
            quality_service_version=service.service_version,
        ),
        OfferAccepted(**common, accepted_by="provider-1", accepted_at=now),
    ]
