"""Every integration event model, importable from one place."""

from cqrs_contracts.events.base import Event
from cqrs_contracts.events.claims import (
    AttachmentUploaded,
    ClaimLine,
    ClaimSubmitted,
    DeclarationApproved,
    DeclarationDeclared,
    DeclarationOpened,
    DeclarationRecalculated,
)
from cqrs_contracts.events.extraction import AchievementExtracted, IndicatorCounts
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
    "AchievementExtracted",
    "AttachmentUploaded",
    "ClaimLine",
    "ClaimSubmitted",
    "DeclarationApproved",
    "DeclarationDeclared",
    "DeclarationOpened",
    "DeclarationRecalculated",
    "Event",
    "FileScanned",
    "IndicatorCounts",
    "OfferAccepted",
    "OfferCancelled",
    "OfferMade",
    "OfferReissued",
    "OfferRejected",
    "OfferWithdrawn",
    "QualityServicePublished",
    "ServiceRequested",
]
