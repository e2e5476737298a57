"""One valid example of every event, for tests here and in services and for AsyncAPI documents."""

from datetime import UTC, date, datetime
from typing import Any

from cqrs_contracts.events import (
    AchievementExtracted,
    AttachmentUploaded,
    ClaimLine,
    ClaimSubmitted,
    DeclarationApproved,
    DeclarationDeclared,
    DeclarationOpened,
    DeclarationRecalculated,
    Event,
    FileScanned,
    IndicatorCounts,
    OfferMade,
)
from cqrs_contracts.examples_identity import identity_examples
from cqrs_contracts.examples_participation import participation_examples

_WHEN = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)


def example_events() -> list[Event]:
    """Give a realistic instance of each registered event (the guide's 12 plans at £193.42)."""
    return [
        OfferMade(
            offer_id="offer-1",
            quality_service_id="qs-complex-care",
            commissioner_organisation_id="QWE",
            provider_organisation_id="A81001",
            financial_year="2025/26",
            payment_type="Local",
            service_start=date(2025, 4, 1),
            service_end=date(2026, 3, 31),
            response_date=date(2025, 5, 31),
            target_date=date(2025, 6, 30),
            offered_at=_WHEN,
            quality_service_version=1,
            offered_by="user-3",
        ),
        ClaimSubmitted(
            claim_id="claim-1",
            provider_organisation_id="A81001",
            commissioner_organisation_id="QWE",
            quality_service_ids=["qs-complex-care"],
            lines=[
                ClaimLine(
                    component_id="complex-care-plan",
                    units=12,
                    unit_price_pence=19342,
                    value_pence=232104,
                ),
            ],
            total_pence=232104,
            attachment_ids=["attachment-1"],
            submitted_by="user-1",
            submitted_at=_WHEN,
        ),
        AttachmentUploaded(
            attachment_id="attachment-1",
            claim_id="claim-1",
            provider_organisation_id="A81001",
            bucket="claims-evidence",
            object_key="claim-1/attachment-1",
            file_name="care-plans.pdf",
            media_type="application/pdf",
            size_bytes=48213,
            accepted_file_types=["pdf", "docx"],
            uploaded_at=_WHEN,
        ),
        FileScanned(
            attachment_id="attachment-1",
            claim_id="claim-1",
            verdict="clean",
            engine_version="ClamAV 1.4.1",
            signature_version="27500",
            scanned_at=_WHEN,
        ),
        DeclarationApproved(
            declaration_id="declaration-1",
            quality_service_id="qs-qof",
            provider_organisation_id="A81001",
            commissioner_organisation_id="QWE",
            financial_year="2025/26",
            points_hundredths=52345,
            achievement_pence=11803274,
            approved_by="user-2",
            approved_at=_WHEN,
            step="commissioner",
            achievement_date=date(2026, 3, 31),
            payment_type="QOF",
            status="Awaiting Finance Approval",
        ),
        *_achievement_examples(),
        *identity_examples(),
        *participation_examples(),
    ]


_DECLARED: dict[str, Any] = {
    "declaration_id": "qs-qof:A81001",
    "quality_service_id": "qs-qof",
    "provider_organisation_id": "A81001",
    "commissioner_organisation_id": "QWE",
    "financial_year": "2025/26",
    "achievement_date": date(2026, 3, 31),
    "points_hundredths": 52345,
    "achievement_pence": 11803274,
}


def _achievement_examples() -> list[Event]:
    """An extraction and a declaration's life before approval (one practice, QOF)."""
    return [
        AchievementExtracted(
            extraction_id="extraction-1",
            quality_service_id="qs-qof",
            financial_year="2025/26",
            practice_ods_code="A81001",
            achievement_date=date(2026, 3, 31),
            list_size=12000,
            indicators=[
                IndicatorCounts(
                    indicator_id="HYP008",
                    numerator=1210,
                    denominator=1500,
                    personalised_care_adjustments=60,
                    register_size=1800,
                ),
                IndicatorCounts(indicator_id="CS005", numerator=2300, denominator=3000),
            ],
            extracted_at=_WHEN,
        ),
        DeclarationOpened(
            **_DECLARED,
            status="Awaiting Service Provider Approval",
            practice_ods_codes=["A81001"],
            opened_at=_WHEN,
        ),
        DeclarationRecalculated(
            **_DECLARED,
            status="Awaiting Service Provider Approval",
            practice_ods_codes=["A81001"],
            reason="achievement",
            previous_status="Awaiting Commissioning Organisation Approval",
            recalculated_at=_WHEN,
        ),
        DeclarationDeclared(
            **_DECLARED,
            status="Awaiting Commissioning Organisation Approval",
            declared_by="user-3",
            declared_at=_WHEN,
        ),
    ]
