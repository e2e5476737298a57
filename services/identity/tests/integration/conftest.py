"""One identity app on the real stack (own database and consumer group) with the demo data,
shared by identity's integration tests, and helpers to log in and make users."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any

import httpx
import pytest

from cqrs_contracts.registry import deserialize
from cqrs_identity.access import cluster_members, organisation_tree, verifier
from cqrs_identity.actor import snapshot_of
from cqrs_identity.allocations.quality_services import QualityService
from cqrs_identity.allocations.quality_services import record as record_service
from cqrs_identity.app import create_app
from cqrs_identity.context import Context
from cqrs_identity.demo import load_demo
from cqrs_identity.demo_data import DEMO_PASSWORD, DOMAIN
from cqrs_identity.provision import provision_user
from cqrs_identity.store import Stores
from cqrs_identity.users.roles import Role, RoleAssignment
from cqrs_kit.app import runtime_of
from cqrs_kit.auth import Principal
from cqrs_kit.runtime import Runtime
from cqrs_kit.testing import isolated_settings, read_topic, running_app, skip_all_history

API = "/api/identity"
TEST_QUALITY_SERVICES = (
    ("qs-qof", "2025/26", "QOF"),
    ("qs-les", "2024/25", "Local"),
    ("qs-matrix", "2025/26", "QOF"),
)
"""National Quality Services the tests allocate, as if learnt from participation."""
PASSWORD = "a long test passphrase 1"


class Stack:
    """The running identity app, its runtime, and shortcuts the tests share."""

    def __init__(self, client: httpx.AsyncClient, runtime: Runtime) -> None:
        self.client = client
        self.runtime = runtime

    async def tokens(self, email: str, password: str = DEMO_PASSWORD) -> dict[str, Any]:
        """Log in and return the token response (failing the test when refused)."""
        response = await self.client.post(f"{API}/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def headers(self, email: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
        """Authorization headers of a fresh login."""
        token = (await self.tokens(email, password))["access_token"]
        return {"Authorization": f"Bearer {token}"}

    async def demo(self, local: str) -> dict[str, str]:
        """Authorization headers of a demo user, by the part of the address before @."""
        return await self.headers(f"{local}@{DOMAIN}")

    async def user(
        self,
        roles: Mapping[str, Sequence[str]],
        *,
        clusters: Mapping[str, Sequence[str]] | None = None,
        first: str = "Jane",
    ) -> tuple[str, str]:
        """A new active user with these roles per organisation: (user id, email)."""
        email = f"{first.lower()}.tester-{uuid.uuid4().hex[:8]}@test.cqrs.local"
        account = await provision_user(
            Context(self.runtime, "test"),
            email=email,
            first_name=first,
            last_name="Tester",
            password=PASSWORD,
            clusters=clusters,
            roles={org: [RoleAssignment(role=Role(r)) for r in held] for org, held in roles.items()},
        )
        return account.user_id, email

    async def etag(self, user_id: str) -> str:
        """The ETag of a user as it is now (what an editor who just loaded it would send)."""
        account = await Stores(self.runtime).accounts.get(user_id)
        assert account is not None
        return f'"{account.version}"'

    async def principal(self, access_token: str) -> Principal:
        """The principal a token names, verified as every service verifies it."""
        return await verifier(self.runtime).verify(access_token)

    async def may(self, principal: Principal, role: str, organisation: str) -> bool:
        """The kit's per-grant answer over identity's own organisations and clusters."""
        ids = [c for g in principal.grants for c in g.cluster_ids]
        view = snapshot_of(await organisation_tree(self.runtime), await cluster_members(self.runtime, ids))
        return view.may(principal.grants, role, organisation)

    async def cluster_id(self, organisation: str = "QRV") -> str:
        """The id of the demo cluster of an organisation."""
        found = await self.runtime.mongo.collection("clusters").find_one({"organisation": organisation})
        assert found is not None
        return str(found["_id"])


@pytest.fixture(scope="session")
async def stack(infra: dict[str, str]) -> AsyncIterator[Stack]:
    """Identity running in-process with its full lifespan, demo data loaded."""
    settings = isolated_settings("identity")
    app = create_app(settings)
    await skip_all_history(app)  # only what the tests publish, not the whole session's events
    async with running_app(app) as client:
        runtime: Runtime = runtime_of(app)
        await load_demo(runtime)
        for qs_id, year, payment_type in TEST_QUALITY_SERVICES:
            await record_service(
                runtime,
                QualityService(
                    quality_service_id=qs_id,
                    service_version=1,
                    service_name=f"Test {qs_id}",
                    commissioner="X24",
                    financial_year=year,
                    payment_type=payment_type,
                    national=True,
                ),
            )
        yield Stack(client, runtime)
        await runtime.mongo.client.drop_database(settings.database_name)


async def events_for(
    topic: str, key: str, until: Callable[[list[Any]], bool], timeout: float = 30.0
) -> list[Any]:
    """Events of one aggregate that really reached Kafka, decoded and de-duplicated by event
    id, once ``until`` holds."""

    def decoded(records: list[Any]) -> list[Any]:
        seen: set[bytes] = set()
        events = []
        for record in records:
            headers = dict(record.headers)
            if not record.key or record.key.decode() != key or headers["ce_id"] in seen:
                continue  # the relay may publish an entry twice; consumers see it once
            seen.add(headers["ce_id"])
            events.append(deserialize(headers["ce_type"].decode(), record.value))
        return events

    records = await read_topic(topic, until=lambda rs: until(decoded(rs)), timeout=timeout)
    return decoded(records)


@pytest.fixture
def kafka_events() -> Callable[..., Any]:
    """``await kafka_events(topic, key, until)``: decoded events of one aggregate from Kafka."""
    return events_for
