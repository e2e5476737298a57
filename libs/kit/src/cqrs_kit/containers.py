"""The test infrastructure as testcontainers, for a laptop with a Docker engine and no launcher.

``cqrs_kit.testing.endpoints()`` uses this when no ``CQRS_`` endpoint variable is set and a Docker
engine answers: it starts Kafka (KRaft), a one-member MongoDB replica set, SeaweedFS (S3 with SigV4
credentials), clamd with the project's own signature database, and nginx routing /api/<service>/ to
the services' usual ports on the host; the SMTP sink runs on the host (tests read its files). Each
container is described as data (``ContainerSpec``) so the definitions are checked without Docker;
``testcontainers`` is imported only when something starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The project's signature database (EICAR and friends): clamd starts in seconds, no download.
SIGNATURES = Path(__file__).resolve().parents[4] / "deploy" / "local" / "clamav"
S3_ACCESS_KEY = "cqrs-local-access"
S3_SECRET_KEY = "cqrs-local-secret-not-for-production"  # noqa: S105 - test containers only
#: The services' loopback ports, the launcher's (cqrs_local.config.Ports.service); a test keeps them equal.
SERVICE_PORTS = {
    "identity": 18101,
    "participation": 18102,
    "claims": 18103,
    "scanning": 18104,
    "notifications": 18105,
}
S3_IDENTITIES = json.dumps(
    {
        "identities": [
            {
                "name": "cqrs",
                "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
)


@dataclass(frozen=True)
class ContainerSpec:
    """One container: image, command, environment, the port tests reach, files, and when it is up."""

    name: str
    image: str
    port: int
    ready_log: str
    command: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)  # container path -> file content
    mounts: Mapping[str, str] = field(default_factory=dict)  # host path -> container path (read-only)
    extra_hosts: Mapping[str, str] = field(default_factory=dict)
    after_start: tuple[str, ...] = ()  # a command run inside the container once it is up


def kafka() -> ContainerSpec:
    """Apache Kafka 4 as one KRaft node; advertised on the mapped port through a second listener."""
    return ContainerSpec(
        name="kafka",
        image="apache/kafka:4.1.1",
        port=9092,
        ready_log=r"Kafka Server started",
        env={
            "KAFKA_NODE_ID": "1",
            "KAFKA_PROCESS_ROLES": "broker,controller",
            "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9093",
            "KAFKA_LISTENERS": "PLAINTEXT://:9092,CONTROLLER://:9093",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
            "KAFKA_NUM_PARTITIONS": "3",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
            "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
            "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR": "1",
            "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR": "1",
            "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
        },
    )


def mongo() -> ContainerSpec:
    """MongoDB 7 as a one-member replica set (production's shape); tests connect directly."""
    return ContainerSpec(
        name="mongo",
        image="mongo:7",
        port=27017,
        ready_log=r"Waiting for connections",
        command=("mongod", "--replSet", "rs0", "--bind_ip_all"),
        after_start=(
            "mongosh",
            "--quiet",
            "--eval",
            "rs.initiate({_id: 'rs0', members: [{_id: 0, host: 'localhost:27017'}]})",
        ),
    )


def s3() -> ContainerSpec:
    """SeaweedFS `weed mini` with SigV4 credentials, as the launcher and compose run it."""
    return ContainerSpec(
        name="s3",
        image="chrislusf/seaweedfs:4.48",
        port=8333,
        ready_log=r"S3 API Server|Start Seaweed S3",
        command=(
            "mini",
            "-dir=/data",
            "-s3.port=8333",
            "-s3.config=/etc/seaweedfs/s3.json",
            "-webdav=false",
            "-admin.ui=false",
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=64",
        ),
        files={"/etc/seaweedfs/s3.json": S3_IDENTITIES},
    )


def clamav() -> ContainerSpec:
    """clamd with the project's signatures only (freshclam off): ready in seconds, same verdicts."""
    return ContainerSpec(
        name="clamav",
        image="clamav/clamav:1.4",
        port=3310,
        ready_log=r"socket found, clamd started|Listening daemon",
        env={"CLAMAV_NO_FRESHCLAMD": "true"},
        mounts={str(SIGNATURES / "cqrs-test.ndb"): "/var/lib/clamav/cqrs-test.ndb"},
    )


def gateway_config(ports: Mapping[str, int] = SERVICE_PORTS) -> str:
    """nginx routing /api/<service>/ to the services on the host (tests run them on these ports)."""
    routes = "\n".join(
        f"    location /api/{name}/ {{ proxy_pass http://host.docker.internal:{port}; }}"
        for name, port in ports.items()
    )
    return (
        "events {}\nhttp {\n  client_max_body_size 100m;\n  server {\n    listen 80;\n"
        '    location = /gateway/healthz { return 200 "ok\\n"; }\n'
        f"{routes}\n"
        "    location / { default_type application/json; return 404 "
        '\'{"title":"Not Found","status":404}\'; }\n'
        "  }\n}\n"
    )


def gateway() -> ContainerSpec:
    """nginx with the gateway's routes; host.docker.internal reaches the host on Linux too."""
    return ContainerSpec(
        name="gateway",
        image="nginx:1.28-alpine",
        port=80,
        ready_log=r"start worker process",
        files={"/etc/nginx/nginx.conf": gateway_config()},
        extra_hosts={"host.docker.internal": "host-gateway"},
    )


def definitions() -> list[ContainerSpec]:
    """Every container the tests need, in start order."""
    return [kafka(), mongo(), s3(), clamav(), gateway()]


def endpoint_values(mapped: Callable[[str], tuple[str, int]], smtp: tuple[int, Path]) -> dict[str, str]:
    """The CQRS_ variables for started containers (`mapped(name)` gives host and port)."""

    def address(name: str) -> str:
        host, port = mapped(name)
        return f"{host}:{port}"

    return {
        "CQRS_KAFKA_BOOTSTRAP": address("kafka"),
        "CQRS_MONGO_URL": f"mongodb://{address('mongo')}/?directConnection=true",
        "CQRS_S3_ENDPOINT": f"http://{address('s3')}",
        "CQRS_S3_ACCESS_KEY": S3_ACCESS_KEY,
        "CQRS_S3_SECRET_KEY": S3_SECRET_KEY,
        "CQRS_CLAMD_ADDRESS": address("clamav"),
        "CQRS_SMTP_ADDRESS": f"127.0.0.1:{smtp[0]}",
        "CQRS_SMTP_STORE": str(smtp[1]),
        "CQRS_GATEWAY_URL": f"http://{address('gateway')}",
    }


class ContainerStack:  # pragma: no cover - needs a Docker engine, which CI machines do not have
    """Starts the definitions once per test process and stops them at exit."""

    def __init__(self) -> None:
        self._started: list[Any] = []
        self._smtp: subprocess.Popen[bytes] | None = None
        self._folder = Path(tempfile.mkdtemp(prefix="cqrs-containers-"))

    def start(self) -> dict[str, str]:
        """Start everything and return the endpoint variables."""
        from testcontainers.core.container import DockerContainer  # noqa: PLC0415
        from testcontainers.core.waiting_utils import wait_for_logs  # noqa: PLC0415

        by_name: dict[str, Any] = {}
        for spec in definitions():
            container = DockerContainer(spec.image).with_exposed_ports(spec.port)
            if spec.command:
                container = container.with_command(list(spec.command))
            for key, value in spec.env.items():
                container = container.with_env(key, value)
            for target, content in spec.files.items():
                host = self._folder / spec.name / Path(target).name
                host.parent.mkdir(parents=True, exist_ok=True)
                host.write_text(content)
                container = container.with_volume_mapping(str(host), target, "ro")
            for host_path, target in spec.mounts.items():
                container = container.with_volume_mapping(host_path, target, "ro")
            if spec.extra_hosts:
                container = container.with_kwargs(extra_hosts=dict(spec.extra_hosts))
            if spec.name == "kafka":
                host_port = _free_port()
                container = container.with_bind_ports(spec.port, host_port)
                container = container.with_env(
                    "KAFKA_ADVERTISED_LISTENERS", f"PLAINTEXT://127.0.0.1:{host_port}"
                )
            container.start()
            self._started.append(container)
            wait_for_logs(container, spec.ready_log, timeout=180)
            if spec.after_start:
                container.exec(list(spec.after_start))
            by_name[spec.name] = container

        def mapped(name: str) -> tuple[str, int]:
            spec_port = next(s.port for s in definitions() if s.name == name)
            container = by_name[name]
            return container.get_container_host_ip(), int(container.get_exposed_port(spec_port))

        smtp_port, store = _free_port(), self._folder / "mail"
        store.mkdir(parents=True, exist_ok=True)
        self._smtp = subprocess.Popen(
            [sys.executable, "-m", "cqrs_local.smtp_sink", "--port", str(smtp_port), "--store", str(store)]
        )
        return endpoint_values(mapped, (smtp_port, store))

    def stop(self) -> None:
        """Stop the containers and the SMTP sink."""
        if self._smtp is not None:
            self._smtp.terminate()
        for container in reversed(self._started):
            with contextlib.suppress(Exception):
                container.stop()


def docker_answers() -> bool:
    """True when a Docker engine answers a ping (DOCKER_HOST or the default socket)."""
    try:
        import docker  # noqa: PLC0415 - installed with testcontainers (a dev dependency)
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=3)
        answered = bool(client.ping())
        client.close()
    except Exception:
        return False
    return answered and os.environ.get("CQRS_NO_CONTAINERS", "") == ""


def _free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
