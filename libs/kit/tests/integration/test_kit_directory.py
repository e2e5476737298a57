"""The Directory of a running service, fed by identity's events from the real Kafka topic: repeats
change nothing, late (older) events do not overwrite newer ones, an end may come before its start,
and the whole read model can be refolded from the topic."""

import datetime as dt
from typing import Any

from aiokafka import AIOKafkaProducer

from cqrs_claims.app import create_app
from cqrs_contracts.envelope import envelope_for, to_kafka_headers
from cqrs_contracts.events.base import Event
from cqrs_contracts.events.identity import ClusterChanged, OrganisationChanged, PcnRelationshipEnded
from cqrs_contracts.registry import serialize
from cqrs_contracts.topics import ALL_TOPICS, IDENTITY_ORGANISATION
from cqrs_kit.app import runtime_of
from cqrs_kit.auth import Principal
from cqrs_kit.directory import Directory
from cqrs_kit.testing import (
    cluster,
    endpoints,
    eventually,
    grant,
    isolated_settings,
    new_ods_code,
    organisation,
    pcn_link,
    running_app,
    skip_history,
)

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


async def publish(producer: AIOKafkaProducer, event: Event, event_id: str | None = None) -> None:
    envelope = envelope_for(event, source="/cqrs/identity", correlation_id="directory-test")
    if event_id is not None:
        envelope = envelope.model_copy(update={"id": event_id})
    await producer.send_and_wait(
        IDENTITY_ORGANISATION,
        serialize(event),
        key=event.aggregate_id().encode(),
        headers=to_kafka_headers(envelope),
    )


def moved(ods: str, kind: str, parent: str, at: dt.datetime) -> OrganisationChanged:
    return OrganisationChanged.model_validate(
        {
            "ods_code": ods,
            "organisation_name": f"{kind} {ods}",
            "kind": kind,
            "parent_ods_code": parent,
            "changed_at": at,
        }
    )


async def test_directory_follows_identity_events_idempotently_and_out_of_order() -> None:
    icb, other_icb, pcn = (
        new_ods_code("Q"),
        new_ods_code("Q"),
        "U" + new_ods_code("")[-5:].translate(str.maketrans("ABCDEF", "123456")),
    )
    practice, moving = new_ods_code("P"), new_ods_code("P")
    settings = isolated_settings("claims")
    # Only what this test publishes matters: skip what earlier runs left on the shared topics.
    await skip_history(settings.group, *ALL_TOPICS)
    app = create_app(settings)
    producer = AIOKafkaProducer(bootstrap_servers=endpoints()["CQRS_KAFKA_BOOTSTRAP"])
    await producer.start()
    try:
        async with running_app(app):
            directory = runtime_of(app).directory
            added_icb = organisation(icb, "ICB", None)
            await publish(producer, added_icb, "e-icb")
            await publish(producer, added_icb, "e-icb")  # a repeat
            await publish(producer, organisation(other_icb, "ICB", None))
            await publish(producer, organisation(pcn, "PCN", icb))
            await publish(producer, organisation(practice, "GP Practice", icb))
            # newest first: the practice moved to the other ICB, then its (older) addition arrives late
            await publish(producer, moved(moving, "GP Practice", other_icb, dt.datetime.now(dt.UTC)))
            await publish(
                producer,
                organisation(moving, "GP Practice", icb, name="old").model_copy(update={"added_at": T0}),
            )
            # the relationship's end arrives before its start
            link = pcn_link(practice, pcn, dt.date(2024, 4, 1))
            await publish(
                producer,
                PcnRelationshipEnded(
                    relationship_id=link.relationship_id,
                    practice_ods_code=practice,
                    pcn_ods_code=pcn,
                    end_date=dt.date(2025, 3, 31),
                    recorded_at=dt.datetime.now(dt.UTC),
                ),
            )
            await publish(producer, link)
            created = cluster(f"c-{icb}", icb, [pcn])
            await publish(producer, created)
            await publish(
                producer,
                ClusterChanged(
                    **{
                        **created.model_dump(exclude={"created_by", "created_at"}),
                        "organisations": [practice],
                    },
                    changed_by="test",
                    changed_at=dt.datetime.now(dt.UTC),
                ),
            )
            await publish(producer, created)  # the creation again, late: the change stands

            async def settled() -> Any:
                directory.forget()
                return await directory.practice_pcn(practice, dt.date(2024, 5, 1)) and (
                    await directory.organisation(moving)
                )

            await eventually(settled, timeout=60)

            async def cluster_changed() -> bool:
                directory.forget()
                limited = Principal(user_id="u", grants=[grant("View", icb, cluster_ids=[f"c-{icb}"])])
                return await directory.may(limited, "View", practice)

            await eventually(cluster_changed, timeout=30)
            await check(directory, icb=icb, other_icb=other_icb, pcn=pcn, practice=practice, moving=moving)

            applied = await directory.rebuild(endpoints()["CQRS_KAFKA_BOOTSTRAP"], timeout=300)
            assert applied >= 12  # this test published 12; the topic may hold other runs' too
            await check(directory, icb=icb, other_icb=other_icb, pcn=pcn, practice=practice, moving=moving)
    finally:
        await producer.stop()


async def check(
    directory: Directory, *, icb: str, other_icb: str, pcn: str, practice: str, moving: str
) -> None:
    info = await directory.organisation(moving)
    assert info is not None
    assert (info.parent, info.name) == (other_icb, f"GP Practice {moving}"), "the late addition lost"
    assert await directory.descendants(icb) == {pcn, practice}
    assert await directory.practice_pcn(practice, dt.date(2025, 3, 31)) == pcn
    assert await directory.practice_pcn(practice, dt.date(2025, 4, 1)) is None, "the early end kept"
    assert await directory.pcn_practices(pcn, dt.date(2024, 4, 1)) == {practice}
    limited = Principal(user_id="u", grants=[grant("View", icb, cluster_ids=[f"c-{icb}"])])
    assert await directory.may(limited, "View", practice), "the cluster's change stands"
    assert not await directory.may(limited, "View", pcn), "the repeated creation did not undo it"
    assert await directory.may(limited, "View", icb)
    commissioner = Principal(user_id="c", grants=[grant("Commissioning Management", icb)])
    assert await directory.organisations_where(commissioner, "Commissioning Management") == {
        icb,
        pcn,
        practice,
    }
    assert not await directory.may(commissioner, "Commissioning Management", moving)
