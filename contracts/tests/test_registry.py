"""Every event is registered, named, routed and encoded the same way."""

import pytest
from pydantic import ValidationError

from cqrs_contracts import topics
from cqrs_contracts.events import Event, OfferMade
from cqrs_contracts.examples import example_events
from cqrs_contracts.registry import (
    EventDecodeError,
    UnknownEventType,
    all_events,
    deserialize,
    event_class_for,
    serialize,
)

OFFER_MADE = "uk.nhs.cqrs.participation.OfferMade.v1"


def test_ce_type_names_service_event_and_version() -> None:
    assert OfferMade.ce_type() == OFFER_MADE
    assert event_class_for(OFFER_MADE) is OfferMade


def test_every_event_is_routed_to_a_known_topic() -> None:
    for event in all_events():
        assert event.topic in topics.ALL_TOPICS, event.ce_type()
        assert event.topic.startswith(f"cqrs.{event.service}."), event.ce_type()


def test_every_event_has_an_example_keyed_by_its_aggregate() -> None:
    examples = {type(example): example for example in example_events()}
    assert set(examples) == set(all_events())
    for example in examples.values():
        assert example.aggregate_id()


@pytest.mark.parametrize("event", example_events(), ids=lambda event: type(event).__name__)
def test_body_round_trip(event: Event) -> None:
    assert deserialize(event.ce_type(), serialize(event)) == event


def test_unknown_type_is_refused() -> None:
    with pytest.raises(UnknownEventType, match=r"OfferMade\.v9"):
        event_class_for("uk.nhs.cqrs.participation.OfferMade.v9")


@pytest.mark.parametrize("body", [b"{", b"not json", b"\xff\xfe"])
def test_body_that_is_not_json_is_a_decode_error(body: bytes) -> None:
    with pytest.raises(EventDecodeError, match=OFFER_MADE):
        deserialize(OFFER_MADE, body)


def test_body_that_does_not_match_the_event_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="offer_id"):
        deserialize(OFFER_MADE, b'{"quality_service_id": "qs-1"}')


def test_events_are_immutable() -> None:
    event = example_events()[0]
    assert isinstance(event, OfferMade)
    with pytest.raises(ValidationError, match="frozen"):
        event.offer_id = "other"  # type: ignore[misc]
