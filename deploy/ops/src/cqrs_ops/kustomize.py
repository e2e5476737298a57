"""Render a kustomization offline, without kubectl: the subset of kustomize deploy/k8s uses.

Supported: ``resources`` (files and directories holding a kustomization), ``namespace``, ``labels``
(``includeSelectors: false``), ``images`` (``newName``/``newTag``), ``replicas`` and ``patches`` given
by ``path`` as strategic-merge patches (mappings merge recursively; lists of mappings that all carry
``name`` merge by name; any other list is replaced). Anything else in a kustomization is refused, so
the manifests cannot drift into features this renderer would silently ignore. ``kubectl kustomize``
renders the same resources.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Resource = dict[str, Any]

SUPPORTED = {"apiVersion", "kind", "namespace", "labels", "resources", "images", "replicas", "patches"}
#: Kinds that live outside any namespace (kustomize does not set one on them).
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}


class KustomizeError(ValueError):
    """The kustomization uses something this renderer does not support, or refers to nothing."""


def load_documents(path: Path) -> list[Resource]:
    """Every YAML document of a file (empty documents skipped)."""
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def render(directory: Path) -> list[Resource]:
    """The resources a kustomization directory produces, in order."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        msg = f"{directory}: kustomization fields not supported here: {sorted(unknown)}"
        raise KustomizeError(msg)
    resources = _resources(directory, kustomization)
    _transform(directory, kustomization, resources)
    return resources


def _resources(directory: Path, kustomization: dict[str, Any]) -> list[Resource]:
    resources: list[Resource] = []
    for entry in kustomization.get("resources", []):
        target = directory / entry
        if target.is_dir():
            resources.extend(render(target))
        elif target.is_file():
            resources.extend(load_documents(target))
        else:
            msg = f"{directory}: resource {entry} does not exist"
            raise KustomizeError(msg)
    return resources


def _transform(directory: Path, kustomization: dict[str, Any], resources: list[Resource]) -> None:
    for patch_entry in kustomization.get("patches", []):
        for patch in load_documents(directory / patch_entry["path"]):
            _apply_patch(resources, patch, directory)
    for replica in kustomization.get("replicas", []):
        _find(resources, {"kind": "Deployment", "metadata": {"name": replica["name"]}}, directory)["spec"][
            "replicas"
        ] = replica["count"]
    for image in kustomization.get("images", []):
        _set_image(resources, image)
    for label in kustomization.get("labels", []):
        if label.get("includeSelectors", False):
            msg = f"{directory}: labels with includeSelectors are not supported here"
            raise KustomizeError(msg)
        for resource in resources:
            resource.setdefault("metadata", {}).setdefault("labels", {}).update(label["pairs"])
    if "namespace" in kustomization:
        for resource in resources:
            if resource["kind"] not in CLUSTER_SCOPED:
                resource["metadata"]["namespace"] = kustomization["namespace"]


def _find(resources: list[Resource], patch: Resource, directory: Path) -> Resource:
    for resource in resources:
        if resource["kind"] == patch["kind"] and resource["metadata"]["name"] == patch["metadata"]["name"]:
            return resource
    msg = f"{directory}: patch target {patch['kind']}/{patch['metadata']['name']} not found"
    raise KustomizeError(msg)


def _apply_patch(resources: list[Resource], patch: Resource, directory: Path) -> None:
    target = _find(resources, patch, directory)
    merged = merge(target, patch)
    target.clear()
    target.update(merged)


def merge(base: Any, patch: Any) -> Any:
    """Strategic merge, the part of it these manifests need."""
    if isinstance(base, dict) and isinstance(patch, dict):
        result = copy.deepcopy(base)
        for key, value in patch.items():
            result[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return result
    if isinstance(base, list) and isinstance(patch, list) and _named(base) and _named(patch):
        result_list = copy.deepcopy(base)
        for item in patch:
            match = next((i for i, b in enumerate(result_list) if b["name"] == item["name"]), None)
            if match is None:
                result_list.append(copy.deepcopy(item))
            else:
                result_list[match] = merge(result_list[match], item)
        return result_list
    return copy.deepcopy(patch)


def _named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "name" in i for i in items)


def _set_image(resources: list[Resource], image: dict[str, str]) -> None:
    for resource in resources:
        spec = resource.get("spec", {}).get("template", {}).get("spec", {})
        for container in [*spec.get("containers", []), *spec.get("initContainers", [])]:
            name, _, tag = container["image"].partition(":")
            if name == image["name"]:
                container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}"
