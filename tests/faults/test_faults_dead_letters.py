"""Messages that can never be processed land on the dead-letter topic with their origin, and the
consumer goes on with the next message."""

import json
import uuid

from aiokafka import AIOKafkaProducer

from cqrs_contracts.envelope import envelope_for, to_kafka_headers
from cqrs_contracts.events import OfferMade
from cqrs_contracts.registry import serialize
from cqrs_kit.testing import ServiceProcess, eventually, offer_made, read_topic
from tests.faults.helpers import new_provider, tasks_of


def valid_offer(provider: str) -> OfferMade:
    return offer_made(quality_service_id="QS-DLQ", provider_organisation_id=provider)


async def test_poison_messages_are_dead_lettered_and_the_consumer_goes_on(
    notifications: ServiceProcess, infra: dict[str, str]
) -> None:
    provider = new_provider()
    good = valid_offer(provider)
    # Looks like an OfferMade (right headers, JSON body) but breaks the contract: it ends before it starts.
    bad_body = json.loads(serialize(valid_offer(provider)))
    bad_body["service_start"], bad_body["service_end"] = "2026-03-31", "2025-04-01"
    looks_valid_key = bad_body["offer_id"].encode()
    looks_valid_headers = to_kafka_headers(
        envelope_for(valid_offer(provider), source="/test", correlation_id="dlq-test")
    )
    malformed_key = f"malformed-{uuid.uuid4()}".encode()

    producer = AIOKafkaProducer(bootstrap_servers=infra["CQRS_KAFKA_BOOTSTRAP"], acks="all")
    await producer.start()
    try:
        partition_of: dict[bytes, tuple[int, int]] = {}
        for key, value, sent_headers in [
            (malformed_key, b"\x00\xffnot an event", []),
            (looks_valid_key, json.dumps(bad_body).encode(), looks_valid_headers),
            (
                good.offer_id.encode(),
                serialize(good),
                to_kafka_headers(envelope_for(good, source="/test", correlation_id="dlq-test")),
            ),
        ]:
            meta = await producer.send_and_wait(OfferMade.topic, value, key=key, headers=sent_headers)
            partition_of[key] = (meta.partition, meta.offset)
    finally:
        await producer.stop()

    found = await eventually(lambda: tasks_of(notifications, provider), timeout=30)
    assert [t["subject_id"] for t in found] == [good.offer_id]  # the consumer went on

    dlq = f"cqrs.deadletter.{notifications.settings.group}"
    ours = {malformed_key, looks_valid_key}
    dead = await read_topic(dlq, until=lambda rs: sum(r.key in ours for r in rs) >= 2)
    dead_by_key = {r.key: dict(r.headers) for r in dead if r.key in ours}
    assert set(dead_by_key) == ours
    for key, headers in dead_by_key.items():
        partition, offset = partition_of[key]
        assert headers["dlq_original_topic"] == OfferMade.topic.encode()
        assert headers["dlq_original_partition"] == str(partition).encode()
        assert headers["dlq_original_offset"] == str(offset).encode()
        assert headers["dlq_consumer_group"] == notifications.settings.group.encode()
    assert dead_by_key[malformed_key]["dlq_error"].startswith(b"EnvelopeError")
    assert dead_by_key[looks_valid_key]["dlq_error"].startswith(b"ValidationError")
    assert b"service_start must be on or before service_end" in dead_by_key[looks_valid_key]["dlq_error"]
