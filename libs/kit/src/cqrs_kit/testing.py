"""Test helpers shared by every service's tests: real endpoints, isolated settings, running apps,
service processes that can be killed, and reading what really reached Kafka."""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, ConsumerRecord

from cqrs_contracts.events import Event, OfferMade
from cqrs_kit.settings import ServiceSettings
from cqrs_kit.testing_auth import (
    STANDARD_LINKS,
    STANDARD_TREE,
    TEST_KEY,
    bearer,
    cluster,
    grant,
    organisation,
    pcn_link,
    seed_directory,
    seed_standard_tree,
    standard_tree_events,
    token_for,
    trusted_jwks,
    trusted_jwks_json,
)

__all__ = [
    "STANDARD_LINKS",
    "STANDARD_TREE",
    "TEST_KEY",
    "bearer",
    "cluster",
    "grant",
    "organisation",
    "pcn_link",
    "seed_directory",
    "seed_standard_tree",
    "standard_tree_events",
    "token_for",
    "trusted_jwks",
    "trusted_jwks_json",
]

ENDPOINT_VARIABLES = (
    "CQRS_KAFKA_BOOTSTRAP",
    "CQRS_MONGO_URL",
    "CQRS_S3_ENDPOINT",
    "CQRS_S3_ACCESS_KEY",
    "CQRS_S3_SECRET_KEY",
    "CQRS_CLAMD_ADDRESS",
    "CQRS_SMTP_ADDRESS",
    "CQRS_SMTP_STORE",
    "CQRS_GATEWAY_URL",
)


class InfrastructureMissing(RuntimeError):
    """Tests need the real servers and none were found."""


def endpoint_source(environ: Mapping[str, str], docker_answers: Callable[[], bool]) -> str:
    """Where tests get their servers: "environment" when every CQRS_ endpoint variable is set,
    "containers" when none is and a Docker engine answers; otherwise InfrastructureMissing.

    A partly set environment is refused rather than completed with containers: mixing a launcher's
    Kafka with a container's MongoDB would test a system nobody runs.
    """
    missing = [v for v in ENDPOINT_VARIABLES if not environ.get(v)]
    if not missing:
        return "environment"
    if len(missing) == len(ENDPOINT_VARIABLES) and docker_answers():
        return "containers"
    if len(missing) < len(ENDPOINT_VARIABLES):
        hint = 'set all of them (`eval "$(make env)"`) or none (testcontainers, with Docker)'
    else:
        hint = 'run `make test`, or `make up` then `eval "$(make env)"`, or start a Docker engine'
    msg = f"real infrastructure endpoints are not set ({', '.join(missing)}); {hint}"
    raise InfrastructureMissing(msg)


def endpoints() -> dict[str, str]:
    """The real servers' endpoints from the launcher's variables; fail loudly when they are absent.

    Where no variable is set but a Docker engine answers, start the servers as testcontainers
    (cqrs_kit.containers) once per process and export the same variables, so service processes
    started by tests inherit them; tests never fall back to fakes.
    """
    from cqrs_kit import containers  # noqa: PLC0415

    if endpoint_source(os.environ, containers.docker_answers) == "containers":  # pragma: no cover
        stack = containers.ContainerStack()
        atexit.register(stack.stop)
        os.environ.update(stack.start())
    return {v: os.environ[v] for v in ENDPOINT_VARIABLES}


def unique(prefix: str) -> str:
    """A name no other test run uses (databases, groups, buckets)."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def isolated_settings(service: str, **overrides: Any) -> ServiceSettings:
    """Settings of a service pointed at the real servers, with its own database and consumer group."""
    endpoints()
    values: dict[str, Any] = {
        "service_name": service,
        "environment": "development",
        "mongo_database": unique(f"test_{service}").replace("-", "_"),
        "consumer_group": unique(f"test-{service}"),
        "relay_poll_seconds": 0.5,
        "consumer_max_backoff_seconds": 1.0,
        "jwks_json": trusted_jwks_json(),  # services under test trust cqrs_kit.testing.token_for
    }
    values.update(overrides)
    return ServiceSettings(**values)


@asynccontextmanager
async def running_app(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's whole lifespan (broker, consumers, relay) and give an HTTP client to it."""
    from asgi_lifespan import LifespanManager  # noqa: PLC0415 - test-only dependency

    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def settings_env(settings: ServiceSettings) -> dict[str, str]:
    """The CQRS_ environment variables that reproduce these settings in another process."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is not None:
            env[f"CQRS_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


class ServiceProcess:
    """A service run as its own uvicorn process, so tests can SIGKILL and restart it."""

    def __init__(self, module: str, settings: ServiceSettings, port: int, log: Path) -> None:
        self.module = module
        self.settings = settings
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the service."""
        return f"http://127.0.0.1:{self.port}/api/{self.settings.service_name}"

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        """Start the process (returns at once; see wait_ready)."""
        env = {**os.environ, **settings_env(self.settings), **(extra_env or {})}
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    f"{self.module}:create_app",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--no-access-log",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )

    async def wait_ready(self, timeout: float = 60) -> None:
        """Wait until /readyz answers 200 (or fail, naming the log)."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    msg = f"{self.module} exited with {self.process.returncode}; see {self.log}"
                    raise RuntimeError(msg)
                try:
                    if (await client.get(f"{self.url}/readyz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        msg = f"{self.module} not ready after {timeout}s; see {self.log}"
        raise RuntimeError(msg)

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks run, exactly like a crash."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """Graceful stop."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    import socket  # noqa: PLC0415

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def read_topic(
    topic: str,
    *,
    until: Callable[[list[ConsumerRecord[bytes, bytes]]], bool],
    timeout: float = 30.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read a topic from the beginning (no group) until `until(records)` holds or time runs out."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=endpoints()["CQRS_KAFKA_BOOTSTRAP"],
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not until(records):
            batch = await consumer.getmany(timeout_ms=500)
            for part in batch.values():
                records.extend(part)
    finally:
        await consumer.stop()
    return records


async def eventually(check: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.2) -> Any:
    """Poll an async check until it returns something truthy; return it, or fail with the last value."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    msg = f"condition not met within {timeout}s (last value: {last!r})"
    raise AssertionError(msg)


async def skip_history(group: str, *topics: str) -> None:
    """Commit a new consumer group's offsets at the end of the topics, so a service started under it
    reads only what the test publishes next, not every event earlier runs left on shared topics."""
    from aiokafka.admin import AIOKafkaAdminClient  # noqa: PLC0415
    from aiokafka.structs import TopicPartition  # noqa: PLC0415

    from cqrs_kit.broker import ensure_topics  # noqa: PLC0415

    bootstrap = endpoints()["CQRS_KAFKA_BOOTSTRAP"]
    await ensure_topics(bootstrap, topics, partitions=3)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    partitions = [TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.commit(dict(ends.items()))
    finally:
        await consumer.stop()


async def skip_all_history(app: Any) -> None:
    """skip_history for every topic a service app consumes (not its dead-letter topic): a test's
    fresh group would otherwise work through everything the whole test session published, and a
    service busy with thousands of old events is slow to start, slow to stop, and mails strangers."""
    from cqrs_kit.app import runtime_of  # noqa: PLC0415 - app imports this module's neighbours

    consumer = runtime_of(app).consumer
    topics = [t for t in consumer.topics() if t != consumer.dead_letter_topic]
    if topics:
        await skip_history(consumer.group, *topics)


def new_ods_code(prefix: str) -> str:
    """An ODS-shaped organisation code no other test run uses (prefix + 8 hex digits)."""
    return prefix + secrets.token_hex(4).upper()


def offer_made(**changes: Any) -> OfferMade:
    """A valid OfferMade for tests and benchmarks; a fresh offer id unless one is given."""
    values: dict[str, Any] = {
        "offer_id": str(uuid.uuid4()),
        "quality_service_id": "QS1",
        "commissioner_organisation_id": "QWE",
        "provider_organisation_id": "A81001",
        "financial_year": "2025/26",
        "payment_type": "Local",
        "service_start": dt.date(2025, 4, 1),
        "service_end": dt.date(2026, 3, 31),
        "response_date": dt.date(2025, 5, 1),
        "offered_at": dt.datetime.now(dt.UTC),
    }
    values.update(changes)
    return OfferMade(**values)


def offer_request(provider: str, quality_service_id: str) -> dict[str, Any]:
    """The body of a valid POST /api/participation/offers to one provider."""
    return {
        "quality_service_id": quality_service_id,
        "commissioner_organisation_id": "QWE",
        "provider_organisation_id": provider,
        "financial_year": "2025/26",
        "payment_type": "Local",
        "service_start": "2025-04-01",
        "service_end": "2026-03-31",
        "response_date": "2025-05-01",
    }


async def publish(*events: Event) -> None:
    """Publish events to their topics as their owning service would (envelope in the headers), for
    services under test that learn from Kafka (e.g. an OrganisationAdded their Directory needs)."""
    from aiokafka import AIOKafkaProducer  # noqa: PLC0415

    from cqrs_contracts.envelope import envelope_for, to_kafka_headers  # noqa: PLC0415
    from cqrs_contracts.registry import serialize  # noqa: PLC0415

    producer = AIOKafkaProducer(
        bootstrap_servers=endpoints()["CQRS_KAFKA_BOOTSTRAP"], enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        for event in events:
            envelope = envelope_for(event, source="/test", correlation_id=str(uuid.uuid4()))
            await producer.send_and_wait(
                event.topic,
                serialize(event),
                key=event.aggregate_id().encode(),
                headers=to_kafka_headers(envelope),
            )
    finally:
        await producer.stop()


def client_address_headers() -> dict[str, str]:
    """Headers as the gateway sets them for a client address nobody else in the run uses, so a
    test's per-address throttles never touch another test's."""
    parts = uuid.uuid4().bytes[:3]
    return {"X-Forwarded-For": f"10.{parts[0]}.{parts[1]}.{parts[2]}"}
