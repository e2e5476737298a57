"""deploy/compose stays in step with the native launcher: same parts, same variable names, same routes.

No Docker engine runs here, so the file is checked as data; `docker compose config` is the next step
on a machine that has one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from cqrs_local import parts
from cqrs_local.config import SERVICES, Layout, Ports, repo_root

COMPOSE_DIR = repo_root() / "deploy" / "compose"

#: Which compose service plays each launcher part (MongoDB stands in for FerretDB and the PostgreSQL
#: FerretDB stores in).
COMPOSE_NAME = {
    "kafka": "kafka",
    "postgres": "mongo",
    "ferretdb": "mongo",
    "seaweedfs": "s3",
    "clamd": "clamav",
    "smtp": "smtp",
    "nginx": "gateway",
}

#: Endpoint variables a CQRS service container does not get, and why:
#: CQRS_SMTP_STORE is where the SMTP sink writes its files, a path inside the sink's container that
#: only tests on the host read (through the bind mount); no service reads mail back, so giving it
#: to services would only suggest they could. It is set on the sink itself, which writes there.
#: CQRS_GATEWAY_URL *is* given to services: it is the public base URL for links (e.g. in mail).
NOT_FOR_SERVICES = {"CQRS_SMTP_STORE"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """compose.yaml as Compose reads it (YAML anchors and merge keys resolved)."""
    loaded = yaml.safe_load((COMPOSE_DIR / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def endpoint_names() -> set[str]:
    """The launcher's variable names (paths do not matter for names)."""
    return set(Layout(state=Path("unused"), cache=Path("unused"), ports=Ports()).endpoints())


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def test_every_launcher_part_has_a_compose_service(compose: dict[str, Any]) -> None:
    """Each infrastructure part and each CQRS service of the launcher exists in compose."""
    layout = Layout(state=Path("unused"), cache=Path("unused"), ports=Ports())
    infrastructure = {p.name for p in parts.infrastructure(layout)}
    assert infrastructure == set(COMPOSE_NAME), "a launcher part has no compose counterpart named"
    expected = {COMPOSE_NAME[name] for name in infrastructure} | set(SERVICES)
    assert expected <= set(compose["services"])


def test_infrastructure_images_are_the_intended_servers(compose: dict[str, Any]) -> None:
    """Kafka, a MongoDB replica set, SeaweedFS, clamd and nginx, each from its own image."""
    services = compose["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services["mongo"]["image"].startswith("mongo:7")
    assert "--replSet" in services["mongo"]["command"]
    assert "rs.initiate" in " ".join(services["mongo"]["healthcheck"]["test"])
    assert services["s3"]["image"].startswith("chrislusf/seaweedfs:")
    assert services["clamav"]["image"].startswith("clamav/clamav:")
    assert services["gateway"]["image"].startswith("nginx:")


def test_every_endpoint_variable_is_used_by_some_service(
    compose: dict[str, Any], endpoint_names: set[str]
) -> None:
    """No launcher variable is forgotten by compose (renaming one would show up here)."""
    used = set().union(*(_environment(s) for s in compose["services"].values()))
    assert endpoint_names <= used


def test_each_cqrs_service_gets_the_launcher_variables(
    compose: dict[str, Any], endpoint_names: set[str]
) -> None:
    """A service container sees the same names as a service started by the launcher, plus its own."""
    for name in SERVICES:
        service = compose["services"][name]
        env = _environment(service)
        assert endpoint_names - NOT_FOR_SERVICES <= set(env), name
        assert env["CQRS_SERVICE_NAME"] == name
        assert env["CQRS_ENVIRONMENT"] == "development"
        assert service["build"]["dockerfile"] == "deploy/compose/Dockerfile"
        assert (repo_root() / "deploy" / "compose" / service["build"]["context"]).resolve() == repo_root()
        assert {"kafka", "mongo", "s3"} <= set(service["depends_on"])
    assert "clamav" in compose["services"]["scanning"]["depends_on"]


def test_service_addresses_name_compose_services(compose: dict[str, Any]) -> None:
    """Inside the network, each endpoint points at the compose service that serves it."""
    env = _environment(compose["services"]["claims"])
    hosts = {
        "CQRS_KAFKA_BOOTSTRAP": env["CQRS_KAFKA_BOOTSTRAP"].rsplit(":", 1)[0],
        "CQRS_MONGO_URL": re.sub(r"^mongodb://([^:/]+).*$", r"\1", env["CQRS_MONGO_URL"]),
        "CQRS_S3_ENDPOINT": re.sub(r"^https?://([^:/]+).*$", r"\1", env["CQRS_S3_ENDPOINT"]),
        "CQRS_CLAMD_ADDRESS": env["CQRS_CLAMD_ADDRESS"].rsplit(":", 1)[0],
        "CQRS_SMTP_ADDRESS": env["CQRS_SMTP_ADDRESS"].rsplit(":", 1)[0],
    }
    assert hosts == {
        "CQRS_KAFKA_BOOTSTRAP": "kafka",
        "CQRS_MONGO_URL": "mongo",
        "CQRS_S3_ENDPOINT": "s3",
        "CQRS_CLAMD_ADDRESS": "clamav",
        "CQRS_SMTP_ADDRESS": "smtp",
    }
    assert "replicaSet=rs0" in env["CQRS_MONGO_URL"]


def test_published_ports_stay_on_loopback(compose: dict[str, Any]) -> None:
    """Like the launcher, nothing is published beyond 127.0.0.1 on the host."""
    for name, service in compose["services"].items():
        for mapping in service.get("ports", []):
            assert str(mapping).startswith("127.0.0.1:"), (name, mapping)


def test_dockerfile_runs_the_named_service_with_uvicorn() -> None:
    """The one image syncs the locked workspace and starts cqrs_<name>.app:create_app on port 8000."""
    dockerfile = (COMPOSE_DIR / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.MULTILINE)
    assert "uv sync --frozen --all-packages" in dockerfile
    assert "cqrs_${CQRS_SERVICE_NAME" in dockerfile
    assert ".app:create_app" in dockerfile
    assert "--factory --host 0.0.0.0 --port 8000" in dockerfile


def test_gateway_routes_each_service_to_its_container() -> None:
    """/api/<service>/ goes to that service's container on port 8000; the rest is a JSON 404."""
    conf = (COMPOSE_DIR / "nginx.conf").read_text()
    routes = dict(
        re.findall(r"location /api/([a-z]+)/ \{ set \$upstream http://([a-z]+:\d+); proxy_pass", conf)
    )
    assert routes == {name: f"{name}:8000" for name in SERVICES}
    assert "location = /gateway/healthz" in conf
    assert '{"title":"Not Found","status":404}' in conf


def test_gateway_config_is_accepted_by_nginx(tmp_path: Path) -> None:
    """nginx itself (installed for the native stack) finds the compose gateway config valid."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is installed by the launcher (`make up`) before tests run"
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", "/dev/stderr", "-c", str(COMPOSE_DIR / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
