"""Several parts of one service may handle the same event type: each runs, in the order registered."""

from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaBroker

from cqrs_contracts.envelope import Envelope, envelope_for, to_kafka_headers
from cqrs_contracts.events import OfferAccepted, OfferMade
from cqrs_contracts.registry import serialize
from cqrs_kit.consumer import Consumer
from cqrs_kit.testing import offer_made


def _record(event: OfferMade) -> ConsumerRecord[bytes, bytes]:
    headers = list(to_kafka_headers(envelope_for(event, source="/test", correlation_id="c")))
    value = serialize(event)
    return ConsumerRecord(
        topic=OfferMade.topic,
        partition=0,
        offset=7,
        timestamp=0,
        timestamp_type=0,
        key=event.offer_id.encode(),
        value=value,
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=len(value),
        headers=headers,
    )


async def test_every_handler_of_a_type_runs_in_the_order_registered() -> None:
    consumer = Consumer(KafkaBroker("127.0.0.1:1"), group="test-handlers")
    seen: list[str] = []

    @consumer.on(OfferMade)
    async def catalogue(event: OfferMade, envelope: Envelope) -> None:
        seen.append(f"catalogue {event.offer_id}")

    @consumer.on(OfferMade)
    async def achievement(event: OfferMade, envelope: Envelope) -> None:
        seen.append(f"achievement {event.offer_id}")

    @consumer.on(OfferAccepted)
    async def accepted(event: OfferAccepted, envelope: Envelope) -> None:
        seen.append("accepted")

    offer = offer_made()
    await consumer.handle(_record(offer))
    assert seen == [f"catalogue {offer.offer_id}", f"achievement {offer.offer_id}"]
    assert consumer.topics().count(OfferMade.topic) == 1
