"""Messages we produce are CloudEvents any SDK can read, not just our own consumers."""

import json

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary_event

from cqrs_contracts.envelope import envelope_for, to_kafka_headers
from cqrs_contracts.examples import example_events
from cqrs_contracts.registry import serialize


def test_cloudevents_sdk_reads_our_kafka_records() -> None:
    event = example_events()[1]
    envelope = envelope_for(event, source="/cqrs/claims", correlation_id="request-7", actor="user-1")
    body = serialize(event)
    message = KafkaMessage(headers=dict(to_kafka_headers(envelope)), key=event.aggregate_id(), value=body)

    read = from_binary_event(message)

    assert read.get_specversion() == "1.0"
    assert read.get_id() == envelope.id
    assert read.get_type() == "uk.nhs.cqrs.claims.ClaimSubmitted.v1"
    assert read.get_source() == "/cqrs/claims"
    assert read.get_subject() == "claim-1"
    assert read.get_time() == envelope.time
    assert read.get_datacontenttype() == "application/json"
    assert read.get_extension("correlationid") == "request-7"
    assert read.get_extension("actor") == "user-1"
    assert read.get_data() == json.loads(body)


def test_sdk_data_validates_back_into_the_event() -> None:
    for event in example_events():
        message = KafkaMessage(
            headers=dict(to_kafka_headers(envelope_for(event, source="/cqrs/test", correlation_id="c"))),
            key=None,
            value=serialize(event),
        )
        assert type(event).model_validate(from_binary_event(message).get_data()) == event
