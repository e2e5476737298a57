"""deploy/k8s: every rendered resource is valid Kubernetes (offline, kubernetes-validate's bundled
schemas), and the manifests keep the promises the README makes: probes, resources, partitions >=
replicas, disruption budgets, config names the services read, /metrics off the gateway."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from cqrs_contracts.topics import ALL_TOPICS, dead_letter_topic
from cqrs_identity.settings import IdentitySettings
from cqrs_kit.settings import ServiceSettings
from cqrs_local.config import SERVICES, repo_root
from cqrs_ops.kustomize import KustomizeError, load_documents, merge, render
from cqrs_scanning.settings import ScanningSettings

K8S = repo_root() / "deploy" / "k8s"
OVERLAYS = ["base", "overlays/local"]
#: The oldest Kubernetes release the manifests are written for (autoscaling/v2, policy/v1).
KUBERNETES_VERSION = "1.30.0"
WORKLOADS = [*SERVICES, "portal", "gateway"]
Resources = list[dict[str, Any]]


def _render(overlay: str) -> Resources:
    return render(K8S / overlay)


def _by(resources: Resources, kind: str) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    container: dict[str, Any] = containers[0]
    return container


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_resource_is_valid_kubernetes(overlay: str) -> None:
    """Strict schema validation: an unknown or misplaced field fails."""
    resources = _render(overlay)
    assert len(resources) >= 4 * len(SERVICES)
    for resource in resources:
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def test_validation_rejects_a_broken_manifest() -> None:
    """The check can fail: a misspelled probe field is refused."""
    deployment = _by(_render("base"), "Deployment")["claims"]
    _container(deployment)["readinessProbe"]["httpGett"] = {"path": "/", "port": 8000}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_workload_has_deployment_service_and_disruption_budget(overlay: str) -> None:
    """Five services, the portal and the gateway; each PDB and Service selects its Deployment's pods."""
    resources = _render(overlay)
    deployments, services, budgets = (
        _by(resources, k) for k in ("Deployment", "Service", "PodDisruptionBudget")
    )
    assert set(WORKLOADS) <= set(deployments)
    for name in WORKLOADS:
        labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        selector = deployments[name]["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items()
        assert services[name]["spec"]["selector"].items() <= labels.items(), name
        assert budgets[name]["spec"]["selector"]["matchLabels"].items() <= labels.items(), name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_probes_resources_and_zero_downtime_strategy(overlay: str) -> None:
    """Readiness on /api/<svc>/readyz, liveness on /healthz; requests and limits; surge, never unavailable."""
    deployments = _by(_render(overlay), "Deployment")
    for name in WORKLOADS:
        deployment = deployments[name]
        container = _container(deployment)
        ready = container["readinessProbe"]["httpGet"]["path"]
        alive = container["livenessProbe"]["httpGet"]["path"]
        if name in SERVICES:
            assert (ready, alive) == (f"/api/{name}/readyz", f"/api/{name}/healthz")
            assert (
                deployment["spec"]["template"]["metadata"]["annotations"]["prometheus.io/path"] == "/metrics"
            )
        elif name == "portal":
            assert (ready, alive) == ("/healthz", "/healthz")
            assert container["image"].split(":")[0] == "cqrs-portal"
        assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
        assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        assert "preStop" in container["lifecycle"]
        assert container["securityContext"]["allowPrivilegeEscalation"] is False


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_partitions_are_at_least_the_replicas_of_any_consumer(overlay: str) -> None:
    """A replica beyond the partition count would idle; every HPA stays within the partitions."""
    resources = _render(overlay)
    partitions = int(_by(resources, "ConfigMap")["cqrs-config"]["data"]["CQRS_TOPIC_PARTITIONS"])
    autoscalers = _by(resources, "HorizontalPodAutoscaler")
    assert set(SERVICES) <= set(autoscalers)
    for name in SERVICES:
        spec = autoscalers[name]["spec"]
        assert spec["scaleTargetRef"]["name"] == name
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"] <= partitions, name
        assert "replicas" not in _by(resources, "Deployment")[name]["spec"], "the HPA owns the count"


def test_strimzi_topics_cover_every_topic_with_enough_partitions() -> None:
    """The prerequisite KafkaTopics name every event topic and each service's dead-letter topic."""
    topics = {
        d["spec"]["topicName"]: d["spec"]
        for d in load_documents(K8S / "prerequisites" / "strimzi-topics.yaml")
    }
    expected = {*ALL_TOPICS, *(dead_letter_topic(f"cqrs-{s}") for s in SERVICES)}
    assert expected <= set(topics)
    most = max(a["spec"]["maxReplicas"] for a in _by(_render("base"), "HorizontalPodAutoscaler").values())
    for topic in ALL_TOPICS:
        assert topics[topic]["partitions"] >= most
        assert topics[topic]["replicas"] >= 3


def _settings_fields() -> set[str]:
    names: set[str] = set()
    for model in (ServiceSettings, IdentitySettings, ScanningSettings):
        names |= {f"CQRS_{field.upper()}" for field in model.model_fields}
    return names


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_configuration_names_are_settings_the_services_read(overlay: str) -> None:
    """A misspelt CQRS_ variable would be ignored silently (settings ignore extras): not here."""
    resources = _render(overlay)
    known = _settings_fields()
    config = _by(resources, "ConfigMap")["cqrs-config"]["data"]
    assert set(config) <= known, set(config) - known
    for name in SERVICES:
        env = {e["name"] for e in _container(_by(resources, "Deployment")[name]).get("env", [])}
        assert {e for e in env if e.startswith("CQRS_")} <= known
        assert {"configMapRef", "secretRef"} <= {
            k for s in _container(_by(resources, "Deployment")[name])["envFrom"] for k in s
        }


def test_local_overlay_settings_start_a_service() -> None:
    """The local overlay's config and secret, as environment, are settings a service accepts."""
    resources = _render("overlays/local")
    env = dict(_by(resources, "ConfigMap")["cqrs-config"]["data"])
    env.update(_by(resources, "Secret")["cqrs-secrets"]["stringData"])
    values = {k.removeprefix("CQRS_").lower(): v for k, v in env.items()}
    settings = ServiceSettings(**values)
    assert settings.environment == "development"
    assert settings.topic_partitions == 3
    assert all(r["metadata"].get("namespace") == "cqrs" for r in resources if r["kind"] != "Namespace")
    assert _container(_by(resources, "Deployment")["claims"])["image"] == "cqrs/services:local"


def test_base_refuses_development_secrets() -> None:
    """Base is production: the local overlay's development secret would stop a service at start-up."""
    config = _by(_render("base"), "ConfigMap")["cqrs-config"]["data"]
    local = _by(_render("overlays/local"), "Secret")["cqrs-secrets"]["stringData"]
    values = {k.removeprefix("CQRS_").lower(): v for k, v in {**config, **local}.items()}
    with pytest.raises(ValueError, match="development default"):
        ServiceSettings(**values)


def test_gateway_routes_every_service_and_keeps_metrics_private() -> None:
    """Same routes as the local gateway, the portal behind `/`, and /metrics answered 404."""
    conf = _by(_render("base"), "ConfigMap")["gateway-nginx"]["data"]["nginx.conf"]
    for name in SERVICES:
        assert re.search(rf"location /api/{name}/ {{ set \$upstream http://{name}\.", conf)
    assert re.search(r"location / { set \$upstream http://portal\.", conf)
    assert re.search(r"location = /metrics { [^}]*return 404", conf)
    local = (repo_root() / "deploy" / "local" / "nginx.conf.template").read_text()
    assert "/metrics" not in re.sub(r"#.*", "", local) or "return 404" in local


def test_renderer_merges_patches_by_name_and_refuses_unknown_fields(tmp_path: Path) -> None:
    """Containers merge by name, other lists are replaced; unsupported kustomize fields fail loudly."""
    base = {"containers": [{"name": "a", "image": "x", "args": [1]}], "ports": [1, 2]}
    patch = {"containers": [{"name": "a", "args": [2]}, {"name": "b", "image": "y"}], "ports": [3]}
    assert merge(base, patch) == {
        "containers": [{"name": "a", "image": "x", "args": [2]}, {"name": "b", "image": "y"}],
        "ports": [3],
    }
    (tmp_path / "kustomization.yaml").write_text("resources: []\nconfigMapGenerator: []\n")
    with pytest.raises(KustomizeError, match="configMapGenerator"):
        render(tmp_path)
