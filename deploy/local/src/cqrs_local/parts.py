"""The parts of the local stack: how each is configured, started and asked whether it is ready."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cqrs_local import install, probes
from cqrs_local.config import HOST, PORTAL, S3_ACCESS_KEY, S3_SECRET_KEY, SERVICES, Layout, repo_root


@dataclass(frozen=True)
class Part:
    """One process of the stack: the command that runs it and the probe that says it is ready."""

    name: str
    address: str
    prepare: Callable[[Layout], list[str]]
    probe: Callable[[Layout], Awaitable[str | None]]
    env: Callable[[Layout], dict[str, str]] = field(default=lambda _layout: {})
    start_timeout: float = 90.0
    #: Parts of a lower wave are ready before a higher wave starts (PostgreSQL before FerretDB).
    wave: int = 1
    stop_signal: signal.Signals = signal.SIGTERM


def _kafka(layout: Layout) -> list[str]:
    libs = install.kafka_libs(layout)
    java = shutil.which("java") or "java"
    home = layout.data_dir("kafka")
    data = home / "data"
    home.mkdir(parents=True, exist_ok=True)
    p = layout.ports
    props = home / "server.properties"
    props.write_text(
        "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.bootstrap.servers={HOST}:{p.kafka_controller}",
                f"listeners=PLAINTEXT://{HOST}:{p.kafka},CONTROLLER://{HOST}:{p.kafka_controller}",
                f"advertised.listeners=PLAINTEXT://{HOST}:{p.kafka}",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                f"log.dirs={data}",
                "num.partitions=3",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "",
            ]
        )
    )
    log4j = home / "log4j2.properties"
    log4j.write_text(
        "\n".join(
            [
                "status = error",
                "appender.out.type = Console",
                "appender.out.name = OUT",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.out.ref = OUT",
                "logger.server.name = kafka.server.KafkaRaftServer",
                "logger.server.level = INFO",
                "",
            ]
        )
    )
    classpath = f"{libs}/*"
    if not (data / "meta.properties").exists():
        cluster_id = (
            subprocess.run(
                [java, "-cp", classpath, "kafka.tools.StorageTool", "random-uuid"],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        subprocess.run(
            [
                java,
                "-cp",
                classpath,
                f"-Dlog4j2.configurationFile={log4j}",
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "-t",
                cluster_id,
                "-c",
                str(props),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    return [
        java,
        "-Xms256m",
        "-Xmx768m",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={log4j}",
        "-cp",
        classpath,
        "kafka.Kafka",
        str(props),
    ]


POSTGRES_USER = "cqrs"  # the cluster's superuser; trust authentication on loopback only


def _as_postgres() -> list[str]:
    """PostgreSQL refuses to run as root, so root runs it as Debian's `postgres` user."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]


def _postgres_data(layout: Layout) -> Path:
    """The cluster's folder: in the state folder, or (when the postgres user cannot reach the state
    folder, e.g. under a private temporary folder) in postgres's own home, linked from the state."""
    home = layout.data_dir("postgres")
    home.mkdir(parents=True, exist_ok=True)
    data = home / "data"
    if data.exists() or data.is_symlink():
        return data
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
        reachable = (
            subprocess.run(
                ["runuser", "-u", "postgres", "--", "test", "-w", str(home)], check=False
            ).returncode
            == 0
        )
        if not reachable:
            digest = hashlib.sha1(str(layout.state).encode()).hexdigest()[:12]  # noqa: S324 - a name
            elsewhere = Path("/var/lib/postgresql") / f"cqrs-local-{digest}"
            elsewhere.mkdir(parents=True, exist_ok=True)
            shutil.chown(elsewhere, "postgres", "postgres")
            data.symlink_to(elsewhere)
            return data
    data.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    return data


def _postgres(layout: Layout) -> list[str]:
    bindir = install.postgres_bindir()
    data = _postgres_data(layout)
    if not (data / "PG_VERSION").exists():
        subprocess.run(
            [
                *_as_postgres(),
                str(bindir / "initdb"),
                "-D",
                str(data.resolve()),
                "-U",
                POSTGRES_USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-instructions",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    return [
        *_as_postgres(),
        str(bindir / "postgres"),
        "-D",
        str(data.resolve()),
        "-c",
        f"listen_addresses={HOST}",
        "-p",
        str(layout.ports.postgres),
        "-c",
        "unix_socket_directories=",
        "-c",
        "max_connections=200",
    ]


def _ferretdb(layout: Layout) -> list[str]:
    binary = install.ferretdb_binary(layout)
    home = layout.data_dir("ferretdb")
    (home / "data").mkdir(parents=True, exist_ok=True)
    p = layout.ports
    backend = (
        # A pool larger than the clients' concurrent operations: FerretDB v1's dropDatabase holds its
        # metadata lock while it waits for a pooled connection, and deadlocks when all 50 (its default)
        # are held by operations waiting for that lock (seen with several test runs sharing the stack).
        [
            "--handler=postgresql",
            f"--postgresql-url=postgres://{POSTGRES_USER}@{HOST}:{p.postgres}/postgres?pool_max_conns=180",
        ]
        if layout.ferretdb_backend == "postgresql"
        else ["--handler=sqlite", f"--sqlite-url=file:{home / 'data'}/"]
    )
    return [
        str(binary),
        *backend,
        f"--state-dir={home}",
        f"--listen-addr={HOST}:{p.mongo}",
        f"--debug-addr={HOST}:{p.ferretdb_debug}",
        "--telemetry=disable",
        "--log-level=WARN",
    ]


def _seaweedfs(layout: Layout) -> list[str]:
    weed = install.weed_binary()
    home = layout.data_dir("seaweedfs")
    (home / "data").mkdir(parents=True, exist_ok=True)
    identities = {
        "identities": [
            {
                "name": "cqrs",
                "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    config = home / "s3.json"
    config.write_text(json.dumps(identities, indent=2))
    p = layout.ports
    return [
        str(weed),
        "mini",
        f"-dir={home / 'data'}",
        f"-ip={HOST}",
        f"-ip.bind={HOST}",
        f"-master.port={p.weed_master}",
        f"-volume.port={p.weed_volume}",
        f"-filer.port={p.weed_filer}",
        f"-admin.port={p.weed_admin}",
        f"-s3.port={p.s3}",
        f"-s3.config={config}",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.telemetry=false",
        "-master.volumeSizeLimitMB=64",
    ]


def _clamd(layout: Layout) -> list[str]:
    clamd = install.debian_program("/usr/sbin/clamd", "clamav-daemon")
    home = layout.data_dir("clamd")
    db = home / "db"
    db.mkdir(parents=True, exist_ok=True)
    for signature in (repo_root() / "deploy" / "local" / "clamav").glob("*.ndb"):
        shutil.copy(signature, db / signature.name)
    conf = home / "clamd.conf"
    user = "root" if os.geteuid() == 0 else os.environ.get("USER", "nobody")
    conf.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"User {user}",
                f"TCPAddr {HOST}",
                f"TCPSocket {layout.ports.clamd}",
                f"DatabaseDirectory {db}",
                f"TemporaryDirectory {home}",
                "LogTime yes",
                "LogVerbose no",
                "StreamMaxLength 100M",
                "MaxFileSize 100M",
                "MaxScanSize 400M",
                "MaxThreads 8",
                "ReadTimeout 30",
                "CommandReadTimeout 10",
                "SelfCheck 0",
                "",
            ]
        )
    )
    return [str(clamd), f"--config-file={conf}"]


def _smtp(layout: Layout) -> list[str]:
    layout.smtp_store().mkdir(parents=True, exist_ok=True)
    return [
        sys.executable,
        "-m",
        "cqrs_local.smtp_sink",
        "--host",
        HOST,
        "--port",
        str(layout.ports.smtp),
        "--store",
        str(layout.smtp_store()),
    ]


def gateway_config(
    *, home: Path, listen: str, services: Mapping[str, str], portal: str, error_log: Path
) -> str:
    """The local gateway's nginx.conf: deploy/local/nginx.conf.template with its placeholders filled
    (``services`` maps each service name to the host:port it listens on)."""
    template = (repo_root() / "deploy" / "local" / "nginx.conf.template").read_text()
    routes = "\n".join(
        f"        location /api/{name}/ {{ proxy_pass http://{address}; }}"
        for name, address in services.items()
    )
    user = "user root;" if os.geteuid() == 0 else ""
    return (
        template.replace("@USER@", user)
        .replace("@HOME@", str(home))
        .replace("@LISTEN@", listen)
        .replace("@ROUTES@", routes)
        .replace("@PORTAL@", portal)
        .replace("@ERROR_LOG@", str(error_log))
    )


def _nginx(layout: Layout) -> list[str]:
    nginx = install.debian_program("/usr/sbin/nginx", "nginx")
    home = layout.data_dir("nginx")
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (home / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    conf = home / "nginx.conf"
    conf.write_text(
        gateway_config(
            home=home,
            listen=f"{HOST}:{layout.ports.gateway}",
            services={name: f"{HOST}:{layout.ports.service(name)}" for name in SERVICES},
            portal=f"{HOST}:{layout.ports.portal}",
            error_log=layout.log_file("nginx"),
        )
    )
    return [
        str(nginx),
        "-p",
        str(home),
        "-e",
        str(layout.log_file("nginx")),
        "-c",
        str(conf),
        "-g",
        "daemon off;",
    ]


def _service_env(name: str) -> Callable[[Layout], dict[str, str]]:
    def env(layout: Layout) -> dict[str, str]:
        return {
            **layout.endpoints(),
            "CQRS_ENVIRONMENT": "development",
            "CQRS_SERVICE_NAME": name,
            "CQRS_SERVICE_PORT": str(layout.ports.service(name)),
            # Every service verifies identity's tokens against its published keys.
            "CQRS_JWKS_URL": f"http://{HOST}:{layout.ports.service('identity')}/api/identity/.well-known/jwks.json",
            # A stand-in payment system answers claims' payment batches, so the demo reaches Paid.
            **({"CQRS_CLAIMS_PAYMENT_SIMULATOR": "true"} if name == "claims" else {}),
        }

    return env


def _service(name: str) -> Callable[[Layout], list[str]]:
    def prepare(layout: Layout) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            f"cqrs_{name}.app:create_app",
            "--factory",
            "--host",
            HOST,
            "--port",
            str(layout.ports.service(name)),
            "--no-access-log",
        ]

    return prepare


def _endpoint_probe(
    key: str, check: Callable[[str], Awaitable[str | None]]
) -> Callable[[Layout], Awaitable[str | None]]:
    async def probe(layout: Layout) -> str | None:
        return await check(layout.endpoints()[key])

    return probe


def infrastructure(layout: Layout) -> list[Part]:
    """The infrastructure parts, in start order (PostgreSQL only when FerretDB stores in it)."""
    p = layout.ports
    postgres = (
        [
            Part(
                "postgres",
                f"{HOST}:{p.postgres}",
                _postgres,
                lambda lay: probes.postgres(install.postgres_bindir(), HOST, lay.ports.postgres),
                wave=0,
                stop_signal=signal.SIGINT,
            )  # SIGINT: fast shutdown, no waiting for clients
        ]
        if layout.ferretdb_backend == "postgresql"
        else []
    )
    return [
        *postgres,
        Part(
            "kafka",
            f"{HOST}:{p.kafka}",
            _kafka,
            _endpoint_probe("CQRS_KAFKA_BOOTSTRAP", probes.kafka),
        ),
        Part(
            "ferretdb",
            f"{HOST}:{p.mongo}",
            _ferretdb,
            _endpoint_probe("CQRS_MONGO_URL", probes.mongo),
        ),
        Part(
            "seaweedfs",
            f"{HOST}:{p.s3}",
            _seaweedfs,
            lambda lay: probes.s3(lay.endpoints()["CQRS_S3_ENDPOINT"], S3_ACCESS_KEY, S3_SECRET_KEY),
        ),
        Part("clamd", f"{HOST}:{p.clamd}", _clamd, lambda lay: probes.clamd(HOST, lay.ports.clamd)),
        Part("smtp", f"{HOST}:{p.smtp}", _smtp, lambda lay: probes.smtp(HOST, lay.ports.smtp)),
        Part(
            "nginx",
            f"{HOST}:{p.gateway}",
            _nginx,
            lambda lay: probes.http_ok(f"http://{HOST}:{lay.ports.gateway}/gateway/healthz"),
        ),
    ]


def _service_probe(name: str) -> Callable[[Layout], Awaitable[str | None]]:
    async def probe(layout: Layout) -> str | None:
        return await probes.http_ok(f"http://{HOST}:{layout.ports.service(name)}/api/{name}/readyz")

    return probe


def _portal(layout: Layout) -> list[str]:
    install.portal_assets(layout)
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "cqrs_portal.app:create_app",
        "--factory",
        "--host",
        HOST,
        "--port",
        str(layout.ports.portal),
        "--no-access-log",
        "--proxy-headers",
        "--forwarded-allow-ips",
        HOST,
    ]


def _portal_env(layout: Layout) -> dict[str, str]:
    return {**layout.endpoints(), "CQRS_ENVIRONMENT": "development"}


def portal(layout: Layout) -> Part:
    """The web portal: one uvicorn process behind the gateway, a client of the services' API."""
    return Part(
        PORTAL,
        f"{HOST}:{layout.ports.portal}",
        _portal,
        lambda lay: probes.http_ok(f"http://{HOST}:{lay.ports.portal}/healthz"),
        env=_portal_env,
        start_timeout=60.0,
        wave=2,
    )


def services(layout: Layout) -> list[Part]:
    """The five CQRS services, each one uvicorn process behind the gateway, and the portal."""
    return [
        Part(
            name,
            f"{HOST}:{layout.ports.service(name)}",
            _service(name),
            _service_probe(name),
            env=_service_env(name),
            start_timeout=60.0,
            wave=2,
        )
        for name in SERVICES
    ] + [portal(layout)]
