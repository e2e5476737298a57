"""The list of every published event, and the one way to turn events into Kafka bodies and back."""

from pydantic import ValidationError

from cqrs_contracts.events import (
    AttachmentUploaded,
    ClaimSubmitted,
    DeclarationApproved,
    Event,
    FileScanned,
    OfferMade,
)

_EVENTS: tuple[type[Event], ...] = (
    OfferMade,
    ClaimSubmitted,
    AttachmentUploaded,
    FileScanned,
    DeclarationApproved,
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
    """Decode and validate a Kafka record body as the event its ``ce_type`` header names."""
    event_class = event_class_for(ce_type)
    try:
        return event_class.model_validate_json(body)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            msg = f"body of {ce_type} is not valid JSON: {exc.errors()[0]['msg']}"
            raise EventDecodeError(msg) from exc
        raise
