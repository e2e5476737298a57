"""Test infrastructure selection and the testcontainers definitions, without a Docker engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from testcontainers.core.container import DockerContainer

from cqrs_kit import containers
from cqrs_kit.settings import ServiceSettings
from cqrs_kit.testing import ENDPOINT_VARIABLES, InfrastructureMissing, endpoint_source
from cqrs_local.config import SERVICES, Layout, Ports, repo_root

ALL_SET = {name: f"value-of-{name}" for name in ENDPOINT_VARIABLES}


def _never() -> bool:
    raise AssertionError("Docker must not be asked when the environment decides")


def test_environment_wins_when_every_variable_is_set() -> None:
    """The launcher's variables are used as they are; Docker is not even asked."""
    assert endpoint_source(ALL_SET, _never) == "environment"


def test_containers_when_nothing_is_set_and_docker_answers() -> None:
    """No variable and an engine: testcontainers."""
    assert endpoint_source({}, lambda: True) == "containers"


def test_missing_without_docker_names_the_variables() -> None:
    """No variable and no engine: a loud failure naming what is missing and how to get it."""
    with pytest.raises(InfrastructureMissing, match=r"CQRS_KAFKA_BOOTSTRAP.*make test"):
        endpoint_source({}, lambda: False)


def test_a_partly_set_environment_is_refused_even_with_docker() -> None:
    """Half the launcher plus half containers is a system nobody runs: refused, naming the gap."""
    partial = dict(ALL_SET)
    del partial["CQRS_CLAMD_ADDRESS"]
    with pytest.raises(InfrastructureMissing, match=r"\(CQRS_CLAMD_ADDRESS\).*all of them .* or none"):
        endpoint_source(partial, lambda: True)


def test_docker_answers_false_here() -> None:
    """This machine has no engine: the check says so instead of raising."""
    assert containers.docker_answers() is False


def test_definitions_cover_every_server_the_tests_need() -> None:
    """Kafka (KRaft), a MongoDB replica set, S3 with SigV4, clamd and the gateway; SMTP on the host."""
    specs = {s.name: s for s in containers.definitions()}
    assert set(specs) == {"kafka", "mongo", "s3", "clamav", "gateway"}
    assert specs["kafka"].image.startswith("apache/kafka:4")
    assert specs["kafka"].env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "--replSet" in specs["mongo"].command
    assert "rs.initiate" in " ".join(specs["mongo"].after_start)
    assert specs["clamav"].env["CLAMAV_NO_FRESHCLAMD"] == "true"
    for host_path in specs["clamav"].mounts:
        assert Path(host_path).is_file(), host_path
    for spec in specs.values():
        re.compile(spec.ready_log)
        assert spec.port > 0


def test_definitions_match_the_compose_file() -> None:
    """Same images as deploy/compose/compose.yaml, so the two Docker paths run the same servers."""
    compose = yaml.safe_load((repo_root() / "deploy" / "compose" / "compose.yaml").read_text())["services"]
    specs = {s.name: s for s in containers.definitions()}
    for name in ("kafka", "mongo", "s3", "clamav"):
        assert specs[name].image == compose[name]["image"], name


def test_s3_identities_use_the_credentials_tests_sign_with() -> None:
    """SeaweedFS checks SigV4 credentials: the identity file must carry the exported key pair."""
    identities = containers.s3().files["/etc/seaweedfs/s3.json"]
    assert containers.S3_ACCESS_KEY in identities
    assert containers.S3_SECRET_KEY in identities


def test_gateway_routes_every_service_to_the_launcher_ports() -> None:
    """Tests run services on the launcher's ports; the gateway container sends each route there."""
    ports = Ports()
    assert {n: ports.service(n) for n in SERVICES} == containers.SERVICE_PORTS
    conf = containers.gateway_config()
    for name in SERVICES:
        assert (
            f"location /api/{name}/ {{ proxy_pass http://host.docker.internal:{ports.service(name)}; }}"
            in conf
        )
    assert conf.count("{") == conf.count("}")


def test_endpoint_values_are_the_launcher_names_and_usable_settings() -> None:
    """Started containers export exactly the launcher's variables, and a service accepts them."""
    values = containers.endpoint_values(lambda name: ("127.0.0.1", 40000 + len(name)), (2525, Path("/m")))
    launcher = Layout(state=Path("unused"), cache=Path("unused"), ports=Ports()).endpoints()
    assert set(values) == set(launcher) == set(ENDPOINT_VARIABLES)
    assert values["CQRS_MONGO_URL"].endswith("directConnection=true")
    settings = ServiceSettings.model_validate({k.removeprefix("CQRS_").lower(): v for k, v in values.items()})
    assert settings.clamd_host_port == ("127.0.0.1", 40006)


def test_the_builder_calls_exist_in_this_testcontainers() -> None:
    """ContainerStack uses these DockerContainer methods; an upgrade that drops one fails here."""
    for method in (
        "with_exposed_ports",
        "with_command",
        "with_env",
        "with_volume_mapping",
        "with_kwargs",
        "with_bind_ports",
        "get_exposed_port",
        "get_container_host_ip",
        "exec",
        "start",
        "stop",
    ):
        assert callable(getattr(DockerContainer, method)), method
