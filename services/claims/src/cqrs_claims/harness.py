"""Claims and scanning running in-process on the real stack, for integration tests and the bench:
the catalogue fed with participation's events over Kafka, uploads scanned by the real clamd."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from cqrs_claims.app import create_app
from cqrs_claims.catalogue.domain import ServiceVersion
from cqrs_claims.claims.settings import ClaimsSettings
from cqrs_claims.testing import offer_accepted, published
from cqrs_contracts import topics
from cqrs_contracts.events import Event
from cqrs_kit.app import runtime_of
from cqrs_kit.broker import make_broker, relay_publisher
from cqrs_kit.outbox import outbox_entries
from cqrs_kit.runtime import Runtime
from cqrs_kit.testing import (
    bearer,
    grant,
    isolated_settings,
    new_ods_code,
    organisation,
    running_app,
    seed_standard_tree,
    skip_history,
    unique,
)

#: Everything the claims service consumes: start its test consumer group at the end of each.
CONSUMED = (
    topics.PARTICIPATION_OFFER,
    topics.PARTICIPATION_SERVICE,
    topics.SCANNING_SCAN,
    topics.IDENTITY_ORGANISATION,
    topics.IDENTITY_USER,
    topics.PCSE_PAYMENT,
)


@dataclass
class Stack:
    """A claims service (and scanning beside it) with a fresh commissioner and two practices."""

    client: httpx.AsyncClient
    runtime: Runtime
    commissioner: str
    practices: tuple[str, str]
    broker: Any
    api: Any

    async def publish(self, events: Sequence[Event], source: str = "/cqrs/participation") -> None:
        """Publish events as their owning service's relay would."""
        publish = relay_publisher(self.broker)
        for entry in outbox_entries(list(events), source=source):
            await publish(entry)

    async def offer(self, service: ServiceVersion, *providers: str) -> None:
        """Publish the service and an accepted offer of it to each provider."""
        await self.publish([published(service)])
        for provider in providers:
            await self.publish(offer_accepted(service, provider))

    def user(self, role: str, organisation: str, user_id: str | None = None) -> dict[str, str]:
        """Headers of a user holding one role at one organisation."""
        return bearer(grant(role, organisation), user_id=user_id or unique("user"))


@asynccontextmanager
async def claims_stack(*, scan: bool = True, **overrides: Any) -> AsyncIterator[Stack]:
    """Run claims (and scanning reading its bucket) in-process on the real servers."""
    bucket = unique("test-evidence")
    base = isolated_settings("claims").model_dump()
    settings = ClaimsSettings(**{**base, "claims_attachment_bucket": bucket, **overrides})
    await skip_history(settings.group, *CONSUMED)
    broker = make_broker(settings.kafka_bootstrap, client_id="claims-tests")
    await broker.start()
    commissioner = new_ods_code("Q")
    practices = (new_ods_code("P"), new_ods_code("P"))
    async with contextlib.AsyncExitStack() as stack:
        if scan:
            from cqrs_scanning.testing import scanning_service  # noqa: PLC0415 - tests and bench only

            await stack.enter_async_context(scanning_service(scan_upload_buckets=[bucket]))
        app = create_app(settings)
        client = await stack.enter_async_context(running_app(app))
        runtime = runtime_of(app)
        await seed_standard_tree(
            runtime.directory,
            organisation(commissioner, "ICB", "Y56"),
            *(organisation(p, "GP Practice", commissioner) for p in practices),
        )
        try:
            yield Stack(client, runtime, commissioner, practices, broker, app._application)
        finally:
            await broker.stop()
            if runtime.s3 is not None:
                from cqrs_scanning.testing import remove_bucket  # noqa: PLC0415

                await remove_bucket(runtime.s3, bucket)
            with contextlib.suppress(Exception):
                await runtime.mongo.client.drop_database(settings.database_name)
