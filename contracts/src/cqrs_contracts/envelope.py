"""CloudEvents 1.0 metadata carried in Kafka headers (binary mode), so bodies stay pure payload."""

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from cqrs_contracts.events.base import Event
from cqrs_contracts.values import UtcDatetime

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"

NonEmpty = Annotated[str, StringConstraints(min_length=1)]
_CE_TYPE = r"^uk\.nhs\.cqrs\.[a-z][a-z0-9_]*\.[A-Za-z][A-Za-z0-9]*\.v[1-9]\d*$"
CeType = Annotated[str, StringConstraints(pattern=_CE_TYPE)]

_FIELD_HEADERS: dict[str, str] = {
    "id": "ce_id",
    "source": "ce_source",
    "type": "ce_type",
    "time": "ce_time",
    "subject": "ce_subject",
    "correlation_id": "ce_correlationid",
    "causation_id": "ce_causationid",
    "actor": "ce_actor",
    "sequence": "ce_sequence",
}
"""Envelope field → Kafka header. Extensions use the ``ce_`` prefix the Kafka binding requires."""

_OPTIONAL = frozenset({"causation_id", "actor", "sequence"})

HeaderValue = bytes | str | None
Headers = Mapping[str, HeaderValue] | Iterable[tuple[str, HeaderValue]]


class EnvelopeError(ValueError):
    """A Kafka record's CloudEvents headers are missing or unreadable; the header is named."""

    def __init__(self, header: str, problem: str) -> None:
        """Keep the header's name so dead-letter records say exactly what was wrong."""
        super().__init__(f"Kafka header {header!r}: {problem}")
        self.header = header


class Envelope(BaseModel):
    """Who said what, when, about which aggregate, and in answer to what."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: NonEmpty = Field(default_factory=lambda: str(uuid.uuid4()))
    source: NonEmpty
    type: CeType
    time: UtcDatetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: NonEmpty
    correlation_id: NonEmpty
    causation_id: NonEmpty | None = None
    actor: NonEmpty | None = None
    #: CloudEvents ``sequence`` extension: the event's place in its aggregate's history, a string
    #: ordered lexicographically (version, then position in the save), so a read model can tell
    #: a stale duplicate from news.
    sequence: NonEmpty | None = None


def envelope_for(
    event: Event,
    *,
    source: str,
    correlation_id: str,
    causation_id: str | None = None,
    actor: str | None = None,
) -> Envelope:
    """Build the envelope for an event, taking its type and subject from the event itself."""
    return Envelope(
        source=source,
        type=event.ce_type(),
        subject=event.aggregate_id(),
        correlation_id=correlation_id,
        causation_id=causation_id,
        actor=actor,
    )


def _rfc3339(instant: datetime) -> str:
    """Write a UTC instant with a ``Z`` suffix, the form CloudEvents SDKs expect."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_kafka_headers(envelope: Envelope) -> list[tuple[str, bytes]]:
    """Render an envelope as Kafka record headers in CloudEvents binary mode."""
    headers = [("ce_specversion", SPECVERSION)]
    for field, header in _FIELD_HEADERS.items():
        value = getattr(envelope, field)
        if value is not None:
            headers.append((header, _rfc3339(value) if field == "time" else value))
    headers.append(("content-type", CONTENT_TYPE))
    return [(name, value.encode()) for name, value in headers]


def _decoded(headers: Headers) -> dict[str, str]:
    """Normalise headers from any Kafka client to lower-case names and text values."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    decoded: dict[str, str] = {}
    for raw_name, raw_value in pairs:
        name = raw_name.lower()
        if raw_value is None:
            continue
        if name in decoded:
            raise EnvelopeError(name, "appears more than once")
        try:
            decoded[name] = raw_value.decode() if isinstance(raw_value, bytes) else raw_value
        except UnicodeDecodeError:
            raise EnvelopeError(name, "is not UTF-8") from None
    return decoded


def _header_value(headers: dict[str, str], field: str) -> str | None:
    """Read a field's header, also accepting un-prefixed extension names from older producers."""
    header = _FIELD_HEADERS[field]
    value = headers.get(header)
    if value is None and field in ("correlation_id", "causation_id", "actor"):
        value = headers.get(header.removeprefix("ce_"))
    return value


def from_kafka_headers(headers: Headers) -> Envelope:
    """Read the envelope back from a Kafka record's headers, naming any missing or bad header."""
    decoded = _decoded(headers)
    specversion = decoded.get("ce_specversion")
    if specversion is None:
        raise EnvelopeError("ce_specversion", "is missing")
    if specversion != SPECVERSION:
        raise EnvelopeError("ce_specversion", f"must be {SPECVERSION}, got {specversion!r}")
    fields: dict[str, str] = {}
    for field, header in _FIELD_HEADERS.items():
        value = _header_value(decoded, field)
        if value is not None:
            fields[field] = value
        elif field not in _OPTIONAL:
            raise EnvelopeError(header, "is missing")
    try:
        return Envelope.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "id"
        raise EnvelopeError(_FIELD_HEADERS.get(field, field), first["msg"]) from exc
