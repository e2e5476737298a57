"""The one shared definition of CQRS integration events: envelope, payloads, topics and schemas."""

from cqrs_contracts.envelope import Envelope, EnvelopeError, from_kafka_headers, to_kafka_headers
from cqrs_contracts.events import Event
from cqrs_contracts.registry import (
    EventDecodeError,
    UnknownEventType,
    all_events,
    deserialize,
    event_class_for,
    serialize,
)

__all__ = [
    "Envelope",
    "EnvelopeError",
    "Event",
    "EventDecodeError",
    "UnknownEventType",
    "all_events",
    "deserialize",
    "event_class_for",
    "from_kafka_headers",
    "serialize",
    "to_kafka_headers",
]
