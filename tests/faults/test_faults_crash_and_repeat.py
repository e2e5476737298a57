"""A crash between save and publish loses nothing; a repeated event has no repeated effect."""

import asyncio

from aiokafka import AIOKafkaProducer

from cqrs_contracts.events import OfferMade
from cqrs_kit.testing import ServiceProcess, eventually, read_topic
from tests.faults.helpers import committed_offset, make_offer, new_provider, tasks_of


async def test_killed_after_save_before_publish_then_published_once(
    participation: ServiceProcess, notifications: ServiceProcess, infra: dict[str, str]
) -> None:
    provider = new_provider()
    participation.start({"CQRS_RELAY_ENABLED": "false"})  # saves, never publishes
    await participation.wait_ready()
    offer = await make_offer(participation, provider)
    participation.kill()  # SIGKILL: no shutdown hook runs

    await asyncio.sleep(2)
    assert await tasks_of(notifications, provider) == []  # nothing was published

    participation.start()
    await participation.wait_ready()
    found = await eventually(lambda: tasks_of(notifications, provider), timeout=30)
    assert [t["subject_id"] for t in found] == [offer["offer_id"]]
    await asyncio.sleep(2)
    assert len(await tasks_of(notifications, provider)) == 1


async def test_same_event_delivered_twice_gives_one_task(
    participation: ServiceProcess, notifications: ServiceProcess, infra: dict[str, str]
) -> None:
    provider = new_provider()
    participation.start()
    await participation.wait_ready()
    offer = await make_offer(participation, provider)
    await eventually(lambda: tasks_of(notifications, provider), timeout=30)

    key = offer["offer_id"].encode()
    records = await read_topic(OfferMade.topic, until=lambda rs: any(r.key == key for r in rs))
    original = next(r for r in records if r.key == key)
    producer = AIOKafkaProducer(bootstrap_servers=infra["CQRS_KAFKA_BOOTSTRAP"], acks="all")
    await producer.start()
    try:  # publish it again by hand, headers and all
        repeat = await producer.send_and_wait(
            OfferMade.topic, original.value, key=original.key, headers=list(original.headers)
        )
    finally:
        await producer.stop()

    group = notifications.settings.group
    bootstrap = infra["CQRS_KAFKA_BOOTSTRAP"]

    async def repeat_consumed() -> bool:
        consumed = await committed_offset(bootstrap, group, OfferMade.topic, repeat.partition)
        return consumed > int(repeat.offset)

    await eventually(repeat_consumed, timeout=30)
    assert len(await tasks_of(notifications, provider)) == 1
