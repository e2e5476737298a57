"""An offer's life in the Message Centre: the task closes when the provider answers or the offer is
withdrawn, whoever did it; messages for rejection, withdrawal and cancellation; a repeated event
(through Kafka) makes no second task or email; a closing event before its opening one leaves no
open task; a reissued offer asks again."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from aiokafka import AIOKafkaProducer

from cqrs_contracts.envelope import envelope_for, to_kafka_headers
from cqrs_contracts.events import (
    OfferAccepted,
    OfferCancelled,
    OfferMade,
    OfferReissued,
    OfferRejected,
    OfferWithdrawn,
)
from cqrs_contracts.registry import serialize
from cqrs_kit.testing import eventually, offer_made
from cqrs_kit.testing_mail import body_of

from .conftest import Centre

NOW = dt.datetime.now(dt.UTC)


def answer(offer: OfferMade, event: type[Any], **fields: Any) -> Any:
    ids = offer.model_dump(
        include={
            "offer_id",
            "quality_service_id",
            "commissioner_organisation_id",
            "provider_organisation_id",
            "financial_year",
        }
    )
    return event(**ids, **fields)


async def test_answered_offer_closes_the_task_and_a_rejection_tells_the_commissioner(centre: Centre) -> None:
    provider, commissioner = centre.orgs["P1"], centre.orgs["ICB"]
    manager = await centre.user(("Service Management", provider))
    colleague = await centre.user(("Service Management", provider))
    commissioning = await centre.user(("Commissioning Management", commissioner))
    accepted = offer_made(provider_organisation_id=provider, commissioner_organisation_id=commissioner)
    rejected = offer_made(provider_organisation_id=provider, commissioner_organisation_id=commissioner)
    await centre.deliver(accepted)
    await centre.deliver(rejected)
    assert (await centre.items(colleague, status="open"))["total"] == 2

    await centre.deliver(answer(accepted, OfferAccepted, accepted_by=manager.user_id, accepted_at=NOW))
    await centre.deliver(
        answer(rejected, OfferRejected, reason="No capacity", rejected_by=manager.user_id, rejected_at=NOW)
    )
    # closed for everyone, including the colleague who did not answer
    assert (await centre.items(colleague, status="open"))["total"] == 0
    assert (await centre.items(colleague, status="closed"))["total"] == 2
    [message] = (await centre.items(commissioning))["items"]  # nothing about the acceptance
    assert (message["category"], message["subject_id"]) == ("offer-rejected", rejected.offer_id)
    await centre.send_due_emails()
    [mail] = await eventually(lambda: centre.mails(commissioning), timeout=10)
    assert "No capacity" in body_of(mail)


async def test_withdrawn_and_cancelled_offers_tell_the_provider(centre: Centre) -> None:
    provider = centre.orgs["P2"]
    manager = await centre.user(("Service Management", provider))
    offered, approved = (
        offer_made(provider_organisation_id=provider),
        offer_made(provider_organisation_id=provider),
    )
    for offer in (offered, approved):
        await centre.deliver(offer)
    await centre.deliver(answer(approved, OfferAccepted, accepted_by=manager.user_id, accepted_at=NOW))
    await centre.deliver(answer(offered, OfferWithdrawn, withdrawn_by="c", withdrawn_at=NOW))
    await centre.deliver(
        answer(approved, OfferCancelled, previous_status="Approved", cancelled_by="c", cancelled_at=NOW)
    )
    page = await centre.items(manager, kind="message")
    assert sorted(i["category"] for i in page["items"]) == ["offer-cancelled", "offer-withdrawn"]
    assert (await centre.items(manager, kind="task", status="open"))["total"] == 0
    await centre.send_due_emails()
    mails = await eventually(lambda: _at_least(centre, manager, 4), timeout=10)
    assert any("Claims can no longer be made for it" in body_of(m) for m in mails)


async def _at_least(centre: Centre, user: Any, count: int) -> list[Any]:
    mails = await centre.mails(user)
    return mails if len(mails) >= count else []


async def test_closing_before_opening_leaves_no_open_task_and_no_email(centre: Centre) -> None:
    provider = centre.orgs["P3"]
    manager = await centre.user(("Service Management", provider))
    offer = offer_made(provider_organisation_id=provider)
    made = envelope_for(offer, source="/test", correlation_id="c")
    accepted = answer(offer, OfferAccepted, accepted_by="p", accepted_at=NOW)
    later = envelope_for(accepted, source="/test", correlation_id="c").model_copy(
        update={"time": made.time + dt.timedelta(seconds=1)}
    )
    await centre.deliver(accepted, later)  # the answer overtakes the offer
    await centre.deliver(offer, made)
    [task] = (await centre.items(manager))["items"]
    assert task["status"] == "closed"
    assert await centre.outbox().by_status("pending") == 0

    reissued = answer(
        offer,
        OfferReissued,
        previous_status="Cancelled",
        payment_type="Local",
        service_start=dt.date(2025, 4, 1),
        service_end=dt.date(2026, 3, 31),
        response_date=dt.date(2025, 6, 1),
        reissued_by="c",
        reissued_at=NOW,
    )
    again = envelope_for(reissued, source="/test", correlation_id="c").model_copy(
        update={"time": later.time + dt.timedelta(seconds=1)}
    )
    await centre.deliver(reissued, again)
    assert (await centre.items(manager, status="open"))["total"] == 1  # asks again


async def test_an_event_delivered_twice_through_kafka_makes_one_task_and_one_email(centre: Centre) -> None:
    provider = centre.orgs["P1"]
    manager = await centre.user(("Service Management", provider))
    offer = offer_made(provider_organisation_id=provider)
    envelope = envelope_for(offer, source="/test", correlation_id=str(uuid.uuid4()))
    producer = AIOKafkaProducer(bootstrap_servers=centre.runtime.settings.kafka_bootstrap)
    await producer.start()
    try:
        for _ in range(2):  # as a relay would after crashing between publishing and marking
            await producer.send_and_wait(
                OfferMade.topic,
                serialize(offer),
                key=offer.offer_id.encode(),
                headers=to_kafka_headers(envelope),
            )
    finally:
        await producer.stop()
    await eventually(lambda: _total(centre, manager), timeout=30)
    await centre.deliver(offer, envelope)  # and a third time, directly
    await eventually(lambda: centre.mails(manager), timeout=15)
    await asyncio.sleep(1.0)  # give a second email every chance to arrive
    assert (await centre.items(manager))["total"] == 1
    assert len(await centre.mails(manager)) == 1


async def _total(centre: Centre, user: Any) -> int:
    return int((await centre.items(user))["total"])
