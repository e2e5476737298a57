"""The list of every published event, and the one way to turn events into Kafka bodies and back."""

import json

from cqrs_contracts.events import (
    AchievementExtracted,
    AttachmentUploaded,
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
    RolesChanged,
    UserClustersChanged,
    NotificationPreferencesChanged,
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


def all_events() -> list[type[Event]]:
    """List every registered event class, for schema generation and consumers' subscriptions."""
    return list(_EVENTS)


def event_class_for(ce_type: str) -> type[Event]:
    """Find the class that reads messages of this CloudEvents type."""
    try:
        return _BY_TYPE[ce_type]
    except KeyError:
        raise UnknownEventType(ce_type) from None


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
