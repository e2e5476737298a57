"""Rebuild a service's read models into a fresh database by replaying its topics from the beginning.

The design, and what it does not do:

1. A new database ``<current>_r<stamp>`` and a new consumer group ``<current group>-r<stamp>``; the
   running service is not touched and keeps serving.
2. Everything that is *not* a read model (the service's aggregates, their events, keys, anything else
   it stores) is copied from the current database as it is: those are the source of truth, and
   replaying topics does not recreate them. Read models are the collections the service lists in
   ``ServiceSpec.read_models``; they start empty.
3. The service's own consumers (its real ``subscribe``) run in this process under the new group, with
   the relay off (nothing is published again), from the first offset of every topic they consume to
   the end offsets seen at the start. Messages they cannot process go to the new group's dead-letter
   topic and are counted.
4. The switch is the operator's: what was written to the current database after the copy is not in
   the new one, so stop the service (scale to 0), run the same command again with ``--into`` and
   ``--group`` (it copies the non-read-model collections again and catches the consumers up), then set
   ``CQRS_MONGO_DATABASE`` and ``CQRS_CONSUMER_GROUP`` to the printed values and start the service. The
   old database stays until you drop it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiokafka.structs import TopicPartition
from pymongo import AsyncMongoClient

from cqrs_kit import directory
from cqrs_kit.app import ServiceSpec, runtime_of
from cqrs_kit.settings import ServiceSettings
from cqrs_ops.kafka import Progress, consumer_lag, partitions, plain_consumer

#: The kit's own read model of identity's organisation tree, in every service.
DIRECTORY_READ_MODELS = (directory.ORGANISATIONS, directory.CLUSTERS, directory.PCN_LINKS)
#: Batch size of the copy (documents per insert_many).
COPY_BATCH = 500


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild made and what the operator sets to switch to it."""

    service: str
    database: str
    group: str
    copied: dict[str, int]
    read_models: list[str]
    replayed: int
    dead_lettered: int

    def switch(self) -> str:
        """The environment change that points the service at the rebuilt database."""
        return f"CQRS_MONGO_DATABASE={self.database} CQRS_CONSUMER_GROUP={self.group}"


def service_module(service: str) -> Any:
    """The service's wiring module (``cqrs_<service>.app``)."""
    return importlib.import_module(f"cqrs_{service}.app")


def service_spec(service: str, settings: ServiceSettings) -> ServiceSpec:
    """The service's spec (scanning builds its spec from its settings)."""
    module = service_module(service)
    spec: ServiceSpec = module.SPEC if hasattr(module, "SPEC") else module.build_spec(settings)
    return spec


def service_settings(service: str, **values: Any) -> ServiceSettings:
    """The service's own settings class, read from the CQRS_ environment plus the given values."""
    if service == "scanning":
        from cqrs_scanning.settings import ScanningSettings  # noqa: PLC0415

        return ScanningSettings(**values)
    if service == "identity":
        from cqrs_identity.settings import IdentitySettings  # noqa: PLC0415

        return IdentitySettings(**values)
    return ServiceSettings(service_name=service, **values)


async def copy_collections(
    mongo_url: str, source: str, target: str, *, leave_out: list[str], progress: Progress | None = None
) -> dict[str, int]:
    """Copy every collection but ``leave_out`` (dropping the target's copy first); counts by name."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    copied: dict[str, int] = {}
    try:
        names = [n for n in await client[source].list_collection_names() if n not in leave_out]
        names = [n for n in names if not n.startswith("system.")]
        totals = {n: await client[source][n].count_documents({}) for n in names}
        done = 0
        for name in names:
            await client[target].drop_collection(name)
            batch: list[dict[str, Any]] = []
            copied[name] = 0
            async for doc in client[source][name].find({}):
                batch.append(doc)
                if len(batch) >= COPY_BATCH:
                    await client[target][name].insert_many(batch)
                    copied[name] += len(batch)
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(done, sum(totals.values()))
            if batch:
                await client[target][name].insert_many(batch)
                copied[name] += len(batch)
                done += len(batch)
            if progress:
                progress(done, sum(totals.values()))
    finally:
        await client.close()
    return copied


async def _targets(bootstrap: str, topics: list[str]) -> dict[TopicPartition, tuple[int, int]]:
    """(first offset, end offset) of every partition that holds something now."""
    parts = await partitions(bootstrap, *topics)
    if not parts:
        return {}
    async with plain_consumer(bootstrap, topics) as consumer:
        starts = await consumer.beginning_offsets(parts)
        ends = await consumer.end_offsets(parts)
    return {tp: (starts[tp], ends[tp]) for tp in parts if ends[tp] > starts[tp]}


async def rebuild(
    service: str,
    current: ServiceSettings,
    *,
    into: str | None = None,
    group: str | None = None,
    progress: Progress | None = None,
    copy_progress: Progress | None = None,
    timeout: float = 3600.0,
    spec: ServiceSpec | None = None,
    create_app: Callable[..., Any] | None = None,
) -> Rebuilt:
    """Build the service's read models afresh from its topics; see the module doc for the switch.

    ``spec`` and ``create_app`` default to the service's own (``cqrs_<service>.app``).
    """
    from asgi_lifespan import LifespanManager  # noqa: PLC0415

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    database = into or f"{current.database_name}_r{stamp}"
    group = group or f"{current.group}-r{stamp}"
    if database == current.database_name:
        msg = "the rebuild must go into a new database, not the one the service uses"
        raise ValueError(msg)
    target = current.model_copy(
        update={"mongo_database": database, "consumer_group": group, "relay_enabled": False}
    )
    spec = spec or service_spec(service, target)
    if not spec.read_models:
        msg = f"{service} lists no read models (ServiceSpec.read_models): nothing is built from topics"
        raise ValueError(msg)
    copied = await copy_collections(
        current.mongo_url,
        current.database_name,
        database,
        leave_out=[*spec.read_models, *DIRECTORY_READ_MODELS],
        progress=copy_progress,
    )
    create_app = create_app or service_module(service).create_app
    side_effects_off = (
        {"send_emails": False} if "send_emails" in inspect.signature(create_app).parameters else {}
    )
    app = create_app(target, **side_effects_off)  # a rebuild sends no email and publishes nothing
    consumer = runtime_of(app).consumer
    consumed = [t for t in consumer.topics() if t != consumer.dead_letter_topic]
    goal = await _targets(current.kafka_bootstrap, consumed)
    total = sum(end - start for start, end in goal.values())
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=60):
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            committed = {
                TopicPartition(lag.topic, lag.partition): lag.committed
                for lag in await consumer_lag(current.kafka_bootstrap, [group])
            }
            done = sum(
                min(max(committed.get(tp, start), start), end) - start for tp, (start, end) in goal.items()
            )
            if progress:
                progress(done, total)
            if done >= total:
                break
            if asyncio.get_running_loop().time() > deadline:
                msg = f"rebuild of {service} did not catch up within {timeout}s ({done}/{total})"
                raise TimeoutError(msg)
            await asyncio.sleep(0.5)
    return Rebuilt(
        service=service,
        database=database,
        group=group,
        copied=copied,
        read_models=[*spec.read_models, *DIRECTORY_READ_MODELS],
        replayed=total,
        dead_lettered=consumer.dead_lettered,
    )
