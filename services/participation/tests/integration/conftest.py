"""One participation app on the real stack (own database and consumer group), its Directory seeded
with the kit's standard tree and a cluster, and shortcuts for tokens, services and offers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from cqrs_contracts.registry import deserialize
from cqrs_kit.app import runtime_of
from cqrs_kit.runtime import Runtime
from cqrs_kit.testing import (
    bearer,
    cluster,
    grant,
    isolated_settings,
    read_topic,
    running_app,
    seed_standard_tree,
    skip_all_history,
)
from cqrs_participation.app import create_app
from cqrs_participation.domain.definition import financial_year_bounds, financial_year_of

API = "/api/participation"
CM = "Commissioning Management"
SM = "Service Management"
CLUSTER_ID = "cluster-qwe-north"
YEAR = financial_year_of(dt.datetime.now(dt.UTC).date())
START, END = financial_year_bounds(YEAR)


def commissioner(organisation: str = "QWE", **options: Any) -> dict[str, str]:
    """Headers of a Commissioning Management user at the organisation."""
    return bearer(grant(CM, organisation, **options), user_id=f"cm-{uuid.uuid4().hex[:6]}")


def manager(provider: str) -> dict[str, str]:
    """Headers of a Service Management user at a provider."""
    return bearer(grant(SM, provider), user_id=f"sm-{uuid.uuid4().hex[:6]}")


def service_body(**changes: Any) -> dict[str, Any]:
    """A valid local service of QWE for the current financial year, £193.42 a plan."""
    body: dict[str, Any] = {
        "commissioner_organisation_id": "QWE",
        "financial_year": YEAR,
        "payment_type": "Local",
        "service_name": f"Complex Care Plans {uuid.uuid4().hex[:6]}",
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        "paycode": "QWE-CCP",
        "components": [
            {
                "component_id": "plan",
                "component_name": "Plan",
                "kind": "unit_priced",
                "unit_price_pence": 19342,
            },
            {
                "component_id": "retainer",
                "component_name": "Retainer",
                "kind": "retainer",
                "amount_pence": 50000,
                "information_note": "Read me",
            },
        ],
    }
    body.update(changes)
    return body


class Stack:
    """The running app, its runtime and shortcuts."""

    def __init__(self, client: httpx.AsyncClient, runtime: Runtime) -> None:
        self.client = client
        self.runtime = runtime

    async def published_service(self, **changes: Any) -> str:
        """Define and publish a service of QWE; its id."""
        headers = commissioner()
        made = await self.client.post(
            f"{API}/quality-services", json=service_body(**changes), headers=headers
        )
        assert made.status_code == 201, made.text
        service_id: str = made.json()["quality_service_id"]
        published = await self.client.post(f"{API}/quality-services/{service_id}/publish", headers=headers)
        assert published.status_code == 200, published.text
        return service_id

    async def offer(
        self, service_id: str, providers: list[str], headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Run the five steps to these providers; the confirmation."""
        headers = headers or commissioner()
        client = self.client
        draft = await client.post(
            f"{API}/offer-drafts",
            json={"commissioner_organisation_id": "QWE", "quality_service_id": service_id},
            headers=headers,
        )
        assert draft.status_code == 201, draft.text
        url = f"{API}/offer-drafts/{draft.json()['draft_id']}"
        dates = (await client.get(f"{url}/details", headers=headers)).json()
        assert (await client.put(f"{url}/details", json=dates, headers=headers)).status_code == 200
        chosen = await client.put(
            f"{url}/providers", json={"provider_organisation_ids": providers}, headers=headers
        )
        assert chosen.status_code == 200, chosen.text
        assert (await client.post(f"{url}/submit", headers=headers)).status_code == 200
        confirmed = await client.post(f"{url}/confirm", headers=headers)
        assert confirmed.status_code == 200, confirmed.text
        body: dict[str, Any] = confirmed.json()
        return body

    async def offers_of(self, service_id: str) -> dict[str, dict[str, Any]]:
        """The service's offers by provider, as QWE's commissioner sees them."""
        listed = await self.client.get(
            f"{API}/offered-services/{service_id}/providers", params={"limit": 500}, headers=commissioner()
        )
        assert listed.status_code == 200, listed.text
        return {o["provider_organisation_id"]: o for o in listed.json()["items"]}


@pytest.fixture(scope="session")
async def stack(infra: dict[str, str]) -> AsyncIterator[Stack]:
    """Participation in-process with its full lifespan, the Directory seeded."""
    settings = isolated_settings("participation")
    app = create_app(settings)
    await skip_all_history(app)  # only what the tests publish, not the whole session's events
    async with running_app(app) as client:
        runtime = runtime_of(app)
        await seed_standard_tree(runtime.directory, cluster(CLUSTER_ID, "QWE", ["U11111", "A81001"]))
        yield Stack(client, runtime)
        await runtime.mongo.client.drop_database(settings.database_name)


async def events_for(
    topic: str, key: str, until: Callable[[list[Any]], bool], timeout: float = 30.0
) -> list[Any]:
    """Decoded events of one aggregate that reached Kafka (de-duplicated by event id)."""

    def decoded(records: list[Any]) -> list[Any]:
        seen: set[bytes] = set()
        events = []
        for record in records:
            headers = dict(record.headers)
            if not record.key or record.key.decode() != key or headers["ce_id"] in seen:
                continue
            seen.add(headers["ce_id"])
            events.append(deserialize(headers["ce_type"].decode(), record.value))
        return events

    return decoded(await read_topic(topic, until=lambda rs: until(decoded(rs)), timeout=timeout))
