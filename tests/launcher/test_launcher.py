"""The native launcher, without servers: the names it exports, where parts bind, the gateway config."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cqrs_kit.settings import ServiceSettings
from cqrs_kit.testing import ENDPOINT_VARIABLES
from cqrs_local import cli, parts, procs
from cqrs_local.config import FERRETDB_VERSION, HOST, KAFKA_VERSION, SERVICES, Layout, Ports

#: The launcher's contract with services, tests and deploy/compose/compose.yaml: renaming one of
#: these is a breaking change for all of them, so the exact set is pinned here.
ENDPOINT_NAMES = {
    "CQRS_KAFKA_BOOTSTRAP",
    "CQRS_MONGO_URL",
    "CQRS_S3_ENDPOINT",
    "CQRS_S3_ACCESS_KEY",
    "CQRS_S3_SECRET_KEY",
    "CQRS_CLAMD_ADDRESS",
    "CQRS_SMTP_ADDRESS",
    "CQRS_SMTP_STORE",
    "CQRS_GATEWAY_URL",
}


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
    """A layout whose state and cache are private folders, with the installs already "cached".

    Placeholder files stand where the Kafka jars, the FerretDB binary and Kafka's formatted storage
    would be, so preparing a part writes its configuration without downloading or running anything.
    """
    state, cache = tmp_path / "state", tmp_path / "cache"
    monkeypatch.setenv("CQRS_STATE_DIR", str(state))
    monkeypatch.setenv("CQRS_CACHE_DIR", str(cache))
    monkeypatch.delenv("CQRS_FERRETDB_BACKEND", raising=False)  # the default backend, as PART_NAMES
    placeholders = [
        cache / f"kafka-{KAFKA_VERSION}" / "libs" / f"kafka_2.13-{KAFKA_VERSION}.jar",
        cache / "bin" / f"ferretdb-{FERRETDB_VERSION}",
        state / "kafka" / "data" / "meta.properties",
        state / "postgres" / "data" / "PG_VERSION",
    ]
    for placeholder in placeholders:
        placeholder.parent.mkdir(parents=True, exist_ok=True)
        placeholder.touch()
    return Layout.from_env()


def _all_parts(layout: Layout) -> list[parts.Part]:
    return parts.infrastructure(layout) + parts.services(layout)


def _text_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.suffix in {".properties", ".conf"}]


#: Every part's name, for parametrising (names do not depend on where the state lives).
PART_NAMES = [p.name for p in _all_parts(Layout(state=Path("unused"), cache=Path("unused"), ports=Ports()))]


def test_endpoints_are_exactly_the_published_variable_names(layout: Layout) -> None:
    """Services, tests and compose rely on these names; none may appear or vanish unnoticed."""
    assert set(layout.endpoints()) == ENDPOINT_NAMES
    assert set(ENDPOINT_VARIABLES) <= ENDPOINT_NAMES  # what the test fixtures insist on


def test_services_read_the_exported_endpoints(layout: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    """The exported names are the ones ServiceSettings reads, so a service finds every server."""
    endpoints = layout.endpoints()
    for name, value in endpoints.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CQRS_ENVIRONMENT", "development")  # as the launcher starts services
    settings = ServiceSettings()
    assert settings.kafka_bootstrap == endpoints["CQRS_KAFKA_BOOTSTRAP"]
    assert settings.mongo_url == endpoints["CQRS_MONGO_URL"]
    assert settings.s3_endpoint == endpoints["CQRS_S3_ENDPOINT"]
    assert settings.s3_access_key == endpoints["CQRS_S3_ACCESS_KEY"]
    assert settings.s3_secret_key == endpoints["CQRS_S3_SECRET_KEY"]
    assert settings.clamd_address == endpoints["CQRS_CLAMD_ADDRESS"]
    assert settings.smtp_address == endpoints["CQRS_SMTP_ADDRESS"]


def test_every_endpoint_points_at_loopback(layout: Layout) -> None:
    """Nothing the launcher tells people to reach is on a public interface."""
    for name, value in layout.endpoints().items():
        if name in {"CQRS_S3_ACCESS_KEY", "CQRS_S3_SECRET_KEY", "CQRS_SMTP_STORE"}:
            continue
        host = urlsplit(value).hostname if "://" in value else value.rsplit(":", 1)[0]
        assert host == HOST, name


def test_every_part_binds_loopback_only(layout: Layout) -> None:
    """Each part's address, command line and written configuration name 127.0.0.1, never 0.0.0.0."""
    argv = {part.name: part.prepare(layout) for part in _all_parts(layout)}
    configs = {p.relative_to(layout.state).as_posix(): p.read_text() for p in _text_files(layout.state)}

    assert all(part.address.startswith(f"{HOST}:") for part in _all_parts(layout))
    kafka_listeners = re.search(r"^listeners=(.*)$", configs["kafka/server.properties"], re.M)
    assert kafka_listeners is not None
    assert all(urlsplit(listener).hostname == HOST for listener in kafka_listeners.group(1).split(","))
    assert f"--listen-addr={HOST}:{layout.ports.mongo}" in argv["ferretdb"]
    assert f"--debug-addr={HOST}:{layout.ports.ferretdb_debug}" in argv["ferretdb"]
    assert f"-ip.bind={HOST}" in argv["seaweedfs"]
    assert f"TCPAddr {HOST}" in configs["clamd/clamd.conf"].splitlines()
    assert argv["smtp"][argv["smtp"].index("--host") + 1] == HOST
    assert f"listen {HOST}:{layout.ports.gateway};" in configs["nginx/nginx.conf"]
    for name in (*SERVICES, "portal"):
        assert argv[name][argv[name].index("--host") + 1] == HOST
    everything = " ".join(" ".join(a) for a in argv.values()) + "".join(configs.values())
    assert "0.0.0.0" not in everything


def test_ports_are_distinct(layout: Layout) -> None:
    """No two parts (or their side ports) would fight over one port."""
    ports = layout.ports
    fixed = [getattr(ports, f.name) for f in dataclasses.fields(Ports) if f.name != "service_base"]
    every = fixed + [ports.service(name) for name in SERVICES]
    assert len(every) == len(set(every))
    addresses = [part.address for part in _all_parts(layout)]
    assert len(addresses) == len(set(addresses))


def test_env_prints_export_lines_a_shell_can_eval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`eval "$(cqrs-local env)"` sets every endpoint exactly, even for a state path with odd characters."""
    monkeypatch.setenv("CQRS_STATE_DIR", str(tmp_path / "state dir with 'quotes' & spaces"))
    assert cli.main(["env"]) == 0
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    assert all(re.fullmatch(r"export [A-Z][A-Z0-9_]*=.+", line) for line in lines), lines

    bash = shutil.which("bash")
    assert bash is not None
    shell = subprocess.run(
        [bash, "-c", 'eval "$1" && env -0', "cqrs-env", printed],
        capture_output=True,
        check=True,
        env={"PATH": os.environ.get("PATH", "")},
    )
    variables = dict(
        entry.split("=", 1) for entry in shell.stdout.decode().split("\0") if entry.startswith("CQRS_")
    )
    expected = {**Layout.from_env().endpoints(), "CQRS_HOST": HOST}
    assert {k: v for k, v in variables.items() if k != "CQRS_STATE_DIR"} == expected


def test_nginx_config_routes_each_service_and_is_valid(layout: Layout) -> None:
    """The rendered gateway config sends /api/<service>/ to that service's port and nginx accepts it."""
    argv = parts._nginx(layout)
    conf = (layout.data_dir("nginx") / "nginx.conf").read_text()

    routes = dict(re.findall(r"location /api/([a-z]+)/ \{ proxy_pass http://([\d.:]+); \}", conf))
    assert routes == {name: f"{HOST}:{layout.ports.service(name)}" for name in SERVICES}
    assert "location = /gateway/healthz" in conf
    assert f"location / {{ proxy_pass http://{HOST}:{layout.ports.portal};" in conf
    assert "location /api/ { default_type application/json; return 404" in conf
    directives = [line for line in conf.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in directives if re.search(r"@[A-Z_]+@", line)]

    layout.log_dir().mkdir(parents=True, exist_ok=True)
    checked = subprocess.run([argv[0], "-t", *argv[1:7]], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("name", PART_NAMES)
async def test_status_of_a_part_that_is_not_running_says_so(layout: Layout, name: str) -> None:
    """With no pid file, `status` reports the part not ready because it is not running (no probe)."""
    part = next(p for p in _all_parts(layout) if p.name == name)
    status = await procs.status(layout, part)
    assert (status.ready, status.pid, status.reason) == (False, None, "not running")
    assert status.log == str(layout.log_file(name))


async def test_status_ignores_a_stale_pid_file(layout: Layout) -> None:
    """A pid file left by a process that has exited does not count as running."""
    exited = await asyncio.create_subprocess_exec("true")
    await exited.wait()
    layout.run_dir().mkdir(parents=True, exist_ok=True)
    layout.pid_file("clamd").write_text(str(exited.pid))
    clamd = next(p for p in parts.infrastructure(layout) if p.name == "clamd")
    status = await procs.status(layout, clamd)
    assert (status.ready, status.pid, status.reason) == (False, None, "not running")
