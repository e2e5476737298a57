"""Every integration event model, importable from one place."""

from cqrs_contracts.events.base import Event
from cqrs_contracts.events.claim_lifecycle import (
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
)
from cqrs_contracts.events.claims import (
    AttachmentUploaded,
    ClaimLine,
    ClaimSubmitted,
    DeclarationApproved,
)
from cqrs_contracts.events.participation import (
    OfferAccepted,
    OfferCancelled,
    OfferMade,
    OfferReissued,
    OfferRejected,
    OfferWithdrawn,
    QualityServicePublished,
    ServiceRequested,
)
from cqrs_contracts.events.scanning import FileScanned

__all__ = [
    "AddedComponent",
    "Answer",
    "AttachmentDeleted",
    "AttachmentStatusChanged",
    "AttachmentUploaded",
    "ClaimComponentsAdded",
    "ClaimComponentsRemoved",
    "ClaimDeleted",
    "ClaimDetailsEntered",
    "ClaimDrafted",
    "ClaimLine",
    "ClaimReadyForTier1Review",
    "ClaimReturned",
    "ClaimSentForApproval",
    "ClaimServicesSelected",
    "ClaimSubmitted",
    "DeclarationApproved",
    "EnteredLine",
    "Event",
    "FileScanned",
    "OfferAccepted",
    "OfferCancelled",
    "OfferMade",
    "OfferReissued",
    "OfferRejected",
    "OfferWithdrawn",
    "QualityServicePublished",
    "ServiceRequested",
]
