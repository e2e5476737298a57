"""Examples of the claim lifecycle and attachment events (the guide's claim 35929)."""

from datetime import UTC, datetime

from cqrs_contracts.events import (
    AddedComponent,
    Answer,
    AttachmentDeleted,
    AttachmentStatusChanged,
    ClaimComponentsAdded,
    ClaimComponentsRemoved,
    ClaimDeleted,
    ClaimDetailsEntered,
    ClaimDrafted,
    ClaimReadyForTier1Review,
    ClaimReturned,
    ClaimSentForApproval,
    ClaimServicesSelected,
    EnteredLine,
    Event,
)

_WHEN = datetime(2025, 7, 3, 10, 15, tzinfo=UTC)
_CLAIM = "35929"


def claim_examples() -> list[Event]:
    """One valid instance of each claim lifecycle and attachment event."""
    common = {"provider_organisation_id": "A81001", "commissioner_organisation_id": "QWE"}
    return [
        ClaimDrafted(
            claim_id=_CLAIM,
            financial_year="2025/26",
            claim_mode="multi",
            drafted_by="user-1",
            drafted_at=_WHEN,
            **common,
        ),
        ClaimServicesSelected(
            claim_id=_CLAIM, quality_service_ids=["qs-complex-care"], selected_by="user-1", selected_at=_WHEN
        ),
        ClaimComponentsAdded(
            claim_id=_CLAIM,
            components=[
                AddedComponent(
                    quality_service_id="qs-complex-care",
                    service_version=1,
                    component_id="complex-care-plan",
                    kind="unit_priced",
                    unit_price_pence=19342,
                    window_id="q1",
                )
            ],
            added_by="user-1",
            added_at=_WHEN,
        ),
        ClaimDetailsEntered(
            claim_id=_CLAIM,
            lines=[
                EnteredLine(
                    component_id="complex-care-plan",
                    units=12,
                    answers=[Answer(question_id="qualified-staff", yes=True)],
                )
            ],
            entered_by="user-1",
            entered_at=_WHEN,
        ),
        ClaimComponentsRemoved(
            claim_id=_CLAIM, component_ids=["complex-care-plan"], removed_by="user-1", removed_at=_WHEN
        ),
        ClaimDeleted(claim_id=_CLAIM, deleted_by="user-1", deleted_at=_WHEN),
        ClaimSentForApproval(claim_id=_CLAIM, total_pence=232104, sent_by="user-1", sent_at=_WHEN),
        ClaimReadyForTier1Review(
            claim_id=_CLAIM, total_pence=232104, attachment_ids=["attachment-1"], ready_at=_WHEN, **common
        ),
        ClaimReturned(
            claim_id=_CLAIM,
            reasons=["care-plans.pdf: malware was found (Eicar-Test-Signature); upload a clean copy"],
            attachment_ids=["attachment-1"],
            returned_by="system",
            returned_at=_WHEN,
            **common,
        ),
        AttachmentDeleted(
            attachment_id="attachment-1", claim_id=_CLAIM, deleted_by="user-1", deleted_at=_WHEN
        ),
        AttachmentStatusChanged(
            attachment_id="attachment-1",
            claim_id=_CLAIM,
            status="Clean",
            scan_event_id="5f0c6f0e-1c51-4a36-9d4b-2f1c1c0a9d10",
            changed_at=_WHEN,
        ),
    ]
