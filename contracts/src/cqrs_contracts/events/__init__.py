"""Every integration event model, importable from one place."""

from cqrs_contracts.events.base import Event
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
    "AttachmentUploaded",
    "ClaimLine",
    "ClaimSubmitted",
    "DeclarationApproved",
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
