"""CloudEvents headers survive a trip through Kafka, and bad headers are named when refused."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cqrs_contracts.envelope import (
    Envelope,
    EnvelopeError,
    envelope_for,
    from_kafka_headers,
    to_kafka_headers,
)
from cqrs_contracts.examples import example_events

WHEN = datetime(2025, 5, 1, 9, 30, 15, 123456, tzinfo=UTC)


def full_envelope() -> Envelope:
    """An envelope with every optional attribute set."""
    return Envelope(
        source="/cqrs/participation",
        type="uk.nhs.cqrs.participation.OfferMade.v1",
        time=WHEN,
        subject="offer-1",
        correlation_id="request-7",
        causation_id="command-3",
        actor="user-1",
    )


def test_headers_round_trip() -> None:
    envelope = full_envelope()
    assert from_kafka_headers(to_kafka_headers(envelope)) == envelope


def test_headers_are_cloudevents_binary_mode() -> None:
    headers = dict(to_kafka_headers(full_envelope()))
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_type"] == b"uk.nhs.cqrs.participation.OfferMade.v1"
    assert headers["ce_time"] == b"2025-05-01T09:30:15.123456Z"
    assert headers["ce_subject"] == b"offer-1"
    assert headers["content-type"] == b"application/json"
    assert headers["ce_correlationid"] == b"request-7"


def test_absent_optional_headers_are_omitted() -> None:
    envelope = full_envelope().model_copy(update={"causation_id": None, "actor": None})
    names = {name for name, _ in to_kafka_headers(envelope)}
    assert not names & {"ce_causationid", "ce_actor"}
    assert from_kafka_headers(to_kafka_headers(envelope)) == envelope


def test_headers_may_be_a_dict_of_text() -> None:
    envelope = full_envelope()
    as_text = {name: value.decode() for name, value in to_kafka_headers(envelope)}
    assert from_kafka_headers(as_text) == envelope


def test_unprefixed_extension_headers_are_read() -> None:
    headers = [
        (n.removeprefix("ce_") if n == "ce_actor" else n, v) for n, v in to_kafka_headers(full_envelope())
    ]
    assert from_kafka_headers(headers).actor == "user-1"


def test_sequence_travels_when_present() -> None:
    envelope = full_envelope().model_copy(update={"sequence": "000000000003.0001"})
    headers = dict(to_kafka_headers(envelope))
    assert headers["ce_sequence"] == b"000000000003.0001"
    assert from_kafka_headers(headers).sequence == "000000000003.0001"
    assert "ce_sequence" not in dict(to_kafka_headers(full_envelope()))


def test_time_is_stored_in_utc() -> None:
    bst = timezone(timedelta(hours=1))
    envelope = full_envelope().model_copy(update={"time": WHEN.astimezone(bst)})
    assert from_kafka_headers(to_kafka_headers(envelope)).time.tzinfo == UTC


def test_envelope_takes_type_and_subject_from_event() -> None:
    event = example_events()[0]
    envelope = envelope_for(event, source="/cqrs/participation", correlation_id="request-7")
    assert envelope.type == event.ce_type()
    assert envelope.subject == event.aggregate_id()


@pytest.mark.parametrize(
    "header",
    [
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_subject",
        "ce_correlationid",
    ],
)
def test_missing_header_is_named(header: str) -> None:
    headers = [(n, v) for n, v in to_kafka_headers(full_envelope()) if n != header]
    with pytest.raises(EnvelopeError, match=header) as raised:
        from_kafka_headers(headers)
    assert raised.value.header == header


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("ce_specversion", b"0.3"),
        ("ce_time", b"yesterday"),
        ("ce_time", b"2025-05-01T09:30:00"),
        ("ce_type", b"com.example.OfferMade"),
        ("ce_id", b""),
        ("ce_subject", b"\xff"),
    ],
)
def test_invalid_header_is_named(header: str, value: bytes) -> None:
    headers = [(n, value if n == header else v) for n, v in to_kafka_headers(full_envelope())]
    with pytest.raises(EnvelopeError, match=header) as raised:
        from_kafka_headers(headers)
    assert raised.value.header == header


def test_duplicated_header_is_refused() -> None:
    headers = [
        *to_kafka_headers(full_envelope()),
        ("ce_type", b"uk.nhs.cqrs.claims.ClaimSubmitted.v1"),
    ]
    with pytest.raises(EnvelopeError, match="ce_type"):
        from_kafka_headers(headers)
