"""One valid example of every participation event except ``OfferMade`` (in ``examples``)."""

from datetime import UTC, date, datetime
from typing import Any

from cqrs_contracts.events.base import Event
from cqrs_contracts.events.participation import (
    OfferAccepted,
    OfferCancelled,
    OfferReissued,
    OfferRejected,
    OfferWithdrawn,
    QualityServicePublished,
    ServiceRequested,
)
from cqrs_contracts.events.quality_service import (
    ClaimWindow,
    EvidenceRequirement,
    Indicator,
    IndicatorDomain,
    ServiceComponent,
    SupplementaryQuestion,
)

_WHEN = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)
_OFFER: dict[str, Any] = {
    "offer_id": "offer-1",
    "quality_service_id": "qs-complex-care",
    "commissioner_organisation_id": "QWE",
    "provider_organisation_id": "A81001",
    "financial_year": "2025/26",
}


def example_quality_service() -> QualityServicePublished:
    """The guide's Complex Care Plans at £193.42 a unit, with a retainer, evidence and a question."""
    return QualityServicePublished(
        quality_service_id="qs-complex-care",
        service_version=1,
        commissioner_organisation_id="QWE",
        financial_year="2025/26",
        payment_type="Local",
        service_name="Complex Care Plans",
        description="Care plans for patients with complex needs.",
        start_date=date(2025, 4, 1),
        end_date=date(2026, 3, 31),
        paycode="LCL-CCP",
        claim_mode="multi",
        declaration_required=False,
        approval_required=True,
        components=[
            ServiceComponent(
                component_id="complex-care-plan",
                component_name="Care plan completed",
                kind="unit_priced",
                unit_price_pence=19342,
                evidence=EvidenceRequirement(
                    instructions="Upload the anonymised care plan summary.",
                    accepted_file_types=["pdf", "docx"],
                ),
                questions=[
                    SupplementaryQuestion(
                        question_id="reviewed-by-gp",
                        text="Was each plan reviewed by a GP?",
                        kind="yes_no",
                        required=True,
                    ),
                ],
            ),
            ServiceComponent(
                component_id="complex-care-retainer",
                component_name="Quarterly retainer",
                kind="retainer",
                amount_pence=50000,
                information_note="Paid each quarter while the service is provided.",
            ),
        ],
        claim_windows=[
            ClaimWindow(
                window_id="2025-26-q1",
                window_name="Q1",
                opens_on=date(2025, 7, 1),
                closes_on=date(2025, 7, 31),
            ),
        ],
        domains=[
            IndicatorDomain(
                domain="Clinical",
                indicators=[
                    Indicator(
                        indicator_id="DM012",
                        description="Diabetes foot examination and risk classification",
                        lower_threshold_percent=50,
                        upper_threshold_percent=90,
                        maximum_points=4,
                        prevalence_adjusted=True,
                    ),
                ],
            ),
        ],
        published_by="user-3",
        published_at=_WHEN,
    )


def participation_examples() -> list[Event]:
    """Give a realistic instance of each participation event other than ``OfferMade``."""
    return [
        example_quality_service(),
        OfferAccepted(**_OFFER, accepted_by="user-4", accepted_at=_WHEN),
        OfferRejected(**_OFFER, reason="No capacity this year", rejected_by="user-4", rejected_at=_WHEN),
        OfferWithdrawn(**_OFFER, reason="Offered in error", withdrawn_by="user-3", withdrawn_at=_WHEN),
        OfferCancelled(**_OFFER, previous_status="Approved", cancelled_by="user-3", cancelled_at=_WHEN),
        OfferReissued(
            **_OFFER,
            previous_status="Rejected",
            quality_service_version=1,
            payment_type="Local",
            service_start=date(2025, 6, 1),
            service_end=date(2026, 3, 31),
            response_date=date(2025, 6, 30),
            reissued_by="user-3",
            reissued_at=_WHEN,
        ),
        ServiceRequested(
            request_id="request-1",
            quality_service_id="qs-complex-care",
            commissioner_organisation_id="QWE",
            provider_organisation_id="A81001",
            financial_year="2025/26",
            note="We now have a care co-ordinator.",
            requested_by="user-4",
            requested_at=_WHEN,
        ),
    ]
