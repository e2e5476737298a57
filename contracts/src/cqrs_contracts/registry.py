"""The list of every published event, and the one way to turn events into Kafka bodies and back."""

import json

from cqrs_contracts.events import (
    AchievementExtracted,
    AttachmentDeleted,
    AttachmentStatusChanged,
    AttachmentUploaded,
    ClaimComponentsAdded,
    ClaimComponentsRemoved,
    ClaimDeleted,
    ClaimDetailsEntered,
    ClaimDrafted,
    ClaimReadyForTier1Review,
    ClaimReturned,
    ClaimSentForApproval,
    ClaimServicesSelected,
    ClaimSubmitted,
    DeclarationApproved,
    DeclarationDeclared,
    DeclarationOpened,
    DeclarationRecalculated,
    Event,
    FileScanned,
    OfferAccepted,
    OfferCancelled,
    OfferMade,
    OfferReissued,
    OfferRejected,
    OfferWithdrawn,
    QualityServicePublished,
    ServiceRequested,
)
from cqrs_contracts.events.claim_review import (
    ClaimApproved,
    ClaimApprovedAtStep,
    ClaimAwaitingReview,
    ClaimPaid,
    ClaimPaymentFailed,
    ClaimRejected,
    ClaimSentForPayment,
)
from cqrs_contracts.events.identity import (
    AccessGranted,
    AccessRequested,
    AccessRequestRejected,
    AccessRestored,
    AccessRevoked,
    AccountDisabled,
    AccountEnabled,
    ClusterChanged,
    ClusterCreated,
    InvitationSent,
    NotificationPreferencesChanged,
    OrganisationAdded,
    OrganisationChanged,
    PasswordChanged,
    PasswordResetRequested,
    PcnRelationshipEnded,
    PcnRelationshipStarted,
    RegistrationApproved,
    RegistrationCompleted,
    RegistrationRejected,
    ReportAllocationsRemoved,
    ReportsAllocated,
    RolesChanged,
    UserClustersChanged,
    UserRegistered,
)
from cqrs_contracts.events.payments import (
    PaymentBatchFlagged,
    PaymentBatchSent,
    PaymentConfirmed,
    PaymentFailed,
)

_EVENTS: tuple[type[Event], ...] = (
    QualityServicePublished,
    OfferMade,
    OfferAccepted,
    OfferRejected,
    OfferWithdrawn,
    OfferCancelled,
    OfferReissued,
    ServiceRequested,
    ClaimSubmitted,
    AttachmentUploaded,
    FileScanned,
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
    DeclarationApproved,
    DeclarationOpened,
    DeclarationRecalculated,
    DeclarationDeclared,
    AchievementExtracted,
    OrganisationAdded,
    OrganisationChanged,
    PcnRelationshipStarted,
    PcnRelationshipEnded,
    ClusterCreated,
    ClusterChanged,
    ReportsAllocated,
    ReportAllocationsRemoved,
    UserRegistered,
    RegistrationApproved,
    RegistrationRejected,
    InvitationSent,
    RegistrationCompleted,
    AccessRequested,
    AccessRequestRejected,
    AccessGranted,
    AccessRevoked,
    AccessRestored,
    AccountDisabled,
    AccountEnabled,
    PasswordResetRequested,
    PasswordChanged,
    RolesChanged,
    UserClustersChanged,
    NotificationPreferencesChanged,
    ClaimAwaitingReview,
    ClaimApprovedAtStep,
    ClaimApproved,
    ClaimRejected,
    ClaimSentForPayment,
    ClaimPaid,
    ClaimPaymentFailed,
    PaymentBatchSent,
    PaymentBatchFlagged,
    PaymentConfirmed,
    PaymentFailed,
)


class UnknownEventType(KeyError):
    """A message named a CloudEvents type that no registered event has."""


class EventDecodeError(ValueError):
    """A message body was not JSON at all, so it could not even be validated."""


def _index(events: tuple[type[Event], ...]) -> dict[str, type[Event]]:
    """Map each CloudEvents type to its class, refusing two classes that claim the same type."""
    by_type: dict[str, type[Event]] = {}
    for event in events:
        if event.ce_type() in by_type:
            msg = f"two events claim {event.ce_type()}"
            raise RuntimeError(msg)
        by_type[event.ce_type()] = event
    return by_type


_BY_TYPE = _index(_EVENTS)

RETIRED: dict[str, type[Event]] = {
    "uk.nhs.cqrs.identity.RegistrationApproved.v1": RegistrationApproved,
    "uk.nhs.cqrs.identity.InvitationSent.v1": InvitationSent,
}
"""Versions no producer sends any more, still readable as their successor: every record valid
under the old version is valid under the new one once the fields it dropped are ignored (the
schema test checks exactly that against the frozen copy). Both dropped a link that must never
travel on Kafka."""


def all_events() -> list[type[Event]]:
    """List every registered event class, for schema generation and consumers' subscriptions."""
    return list(_EVENTS)


def event_class_for(ce_type: str) -> type[Event]:
    """Find the class that reads messages of this CloudEvents type."""
    found = _BY_TYPE.get(ce_type) or RETIRED.get(ce_type)
    if found is None:
        raise UnknownEventType(ce_type)
    return found


def serialize(event: Event) -> bytes:
    """Encode an event as the UTF-8 JSON body of a Kafka record."""
    return event.model_dump_json().encode()


def deserialize(ce_type: str, body: bytes) -> Event:
    """Decode and validate a Kafka record body as the event its ``ce_type`` header names.

    Readers are tolerant: fields this version does not know (added later as optional by a newer
    producer) are ignored, so adding an optional field never breaks a running consumer.
    """
    event_class = event_class_for(ce_type)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        msg = f"body of {ce_type} is not valid JSON: {exc}"
        raise EventDecodeError(msg) from exc
    if not isinstance(data, dict):
        msg = f"body of {ce_type} must be a JSON object, got {type(data).__name__}"
        raise EventDecodeError(msg)
    known = {k: v for k, v in data.items() if k in event_class.model_fields}
    return event_class.model_validate(known)
