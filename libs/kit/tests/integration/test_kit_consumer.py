"""The consumer on real Kafka: effects stored before ack, transient failures retried in place,
permanent failures dead-lettered with their origin, and the consumer goes on."""

import asyncio
import uuid
from typing import Any

from aiokafka import AIOKafkaProducer

from cqrs_contracts.envelope import Envelope, envelope_for, to_kafka_headers
from cqrs_contracts.events import OfferMade
from cqrs_contracts.registry import serialize
from cqrs_kit.broker import ensure_topics, make_broker
from cqrs_kit.consumer import Consumer
from cqrs_kit.errors import DomainError, TransientError
from cqrs_kit.testing import eventually, offer_made, read_topic, skip_history, unique


def offer(marker: str, payment_type: str) -> OfferMade:
    return offer_made(
        offer_id=f"{marker}-{uuid.uuid4().hex[:6]}", quality_service_id=marker, payment_type=payment_type
    )


async def produce(bootstrap: str, records: list[tuple[bytes, bytes, list[tuple[str, bytes]]]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for key, value, headers in records:
            await producer.send_and_wait(OfferMade.topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


def as_record(event: OfferMade) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    envelope = envelope_for(event, source="/test", correlation_id=str(uuid.uuid4()))
    return event.offer_id.encode(), serialize(event), to_kafka_headers(envelope)


async def test_consumer_retries_dead_letters_and_goes_on(infra: dict[str, str]) -> None:
    bootstrap = infra["CQRS_KAFKA_BOOTSTRAP"]
    marker = unique("QS").upper()
    group = unique("test-consumer")
    applied: list[str] = []
    transient_failures: list[str] = []

    broker = make_broker(bootstrap, client_id="test-consumer")
    consumer = Consumer(broker, group=group, max_backoff=0.5)

    @consumer.on(OfferMade)
    async def on_offer(event: OfferMade, envelope: Envelope) -> None:
        if event.quality_service_id != marker:
            return
        if event.payment_type == "flaky" and not transient_failures:
            transient_failures.append(event.offer_id)
            raise TransientError("database unreachable")
        if event.payment_type == "refused":
            raise DomainError("this offer can never be applied")
        applied.append(event.payment_type)

    consumer.subscribe()
    await ensure_topics(bootstrap, consumer.topics(), partitions=3)
    await skip_history(group, OfferMade.topic)
    await broker.start()
    try:
        first, flaky, refused, last = (offer(marker, t) for t in ("first", "flaky", "refused", "last"))
        first_key = first.offer_id.encode()
        await produce(
            bootstrap,
            [
                as_record(first),
                (first_key, b"{not json", [("ce_specversion", b"1.0")]),  # malformed: headers missing
                as_record(flaky),
                as_record(refused),
                as_record(last),
            ],
        )

        async def done() -> bool:
            return {"first", "flaky", "last"} <= set(applied)

        await eventually(done, timeout=60)
    finally:
        await broker.stop()

    assert sorted(applied) == ["first", "flaky", "last"]  # flaky applied once, after its retry
    assert transient_failures == [flaky.offer_id]

    # The group reads the shared topic from the beginning, so earlier runs' malformed messages are
    # dead-lettered too; this run's are told apart by their keys.
    ours = {first_key, refused.offer_id.encode()}
    dead = await read_topic(
        consumer.dead_letter_topic, timeout=30, until=lambda rs: sum(r.key in ours for r in rs) >= 2
    )
    dead = [r for r in dead if r.key in ours]
    assert len(dead) == 2
    by_error = {dict(r.headers)["dlq_error"].decode().split(":")[0]: dict(r.headers) for r in dead}
    assert set(by_error) == {"EnvelopeError", "DomainError"}
    malformed = by_error["EnvelopeError"]
    assert malformed["dlq_original_topic"] == OfferMade.topic.encode()
    assert malformed["dlq_consumer_group"] == group.encode()
    assert int(malformed["dlq_original_offset"]) >= 0
    assert int(malformed["dlq_original_partition"]) in (0, 1, 2)
    assert b"ce_id" in by_error["EnvelopeError"]["dlq_error"]
    assert b"can never be applied" in by_error["DomainError"]["dlq_error"]
    assert by_error["DomainError"]["ce_type"] == b"uk.nhs.cqrs.participation.OfferMade.v1"


async def test_handler_logs_carry_correlation_and_event_ids(capsys: Any) -> None:
    from cqrs_kit import logs  # noqa: PLC0415

    logs.configure_logging("test", json=True)
    broker = make_broker("127.0.0.1:1", client_id="unused")  # never started: nothing is published
    consumer = Consumer(broker, group="test-logs")
    event = offer("QSLOG", "Local")

    @consumer.on(OfferMade)
    async def on_offer(event: OfferMade, envelope: Envelope) -> None:
        logs.get_logger("handler").info("applied")

    key, value, headers = as_record(event)

    class Record:
        topic, partition, offset = OfferMade.topic, 0, 7

        def __init__(self) -> None:
            self.key, self.value, self.headers = key, value, headers

    await consumer.handle(Record())
    await asyncio.sleep(0)
    out = capsys.readouterr().out
    envelope_id = dict(headers)["ce_id"].decode()
    assert f'"event_id": "{envelope_id}"' in out
    assert '"correlation_id"' in out
