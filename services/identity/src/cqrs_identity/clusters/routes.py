"""Service Provider Cluster routes (Organisation Administrators; User Administrators may look).
An edit is one Submit of the whole cluster with If-Match, so a concurrent edit is never lost."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cqrs_contracts.values import OdsCode
from cqrs_identity.access import CallerDep
from cqrs_identity.api_common import context
from cqrs_identity.clusters import service as service_clusters
from cqrs_identity.clusters.cluster import DESCRIPTION_MAX, NAME_MAX, NO_CLUSTERS_MESSAGE, Cluster
from cqrs_identity.routing import router as make_router
from cqrs_kit.preconditions import IfMatch, expected_version, tag
from cqrs_kit.runtime import RuntimeDep

router = make_router("clusters")

ClusterName = Annotated[str, StringConstraints(max_length=NAME_MAX * 2)]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX * 2)]


class ClusterList(BaseModel):
    """An organisation's clusters, or the message shown when it has none."""

    organisation: str
    clusters: list[Cluster]
    message: str | None = None


class NewCluster(BaseModel):
    """Name, description and the descendant organisations of a new cluster."""

    model_config = ConfigDict(extra="forbid")

    organisation: OdsCode
    name: ClusterName
    description: Description = ""
    organisations: list[OdsCode] = Field(max_length=10_000)


class ClusterEdit(BaseModel):
    """One whole edit of a cluster, as Submit sends it: its name, description and organisations
    (the short name never changes)."""

    model_config = ConfigDict(extra="forbid")

    name: ClusterName
    description: Description = ""
    organisations: list[OdsCode] = Field(max_length=10_000)


@router.get("/clusters")
async def clusters(
    organisation: OdsCode, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> ClusterList:
    """The Service Provider Clusters of an organisation."""
    found = await service_clusters.list_clusters(context(request, runtime, caller), caller, organisation)
    return ClusterList(
        organisation=organisation, clusters=found, message=None if found else NO_CLUSTERS_MESSAGE
    )


@router.post("/clusters", status_code=status.HTTP_201_CREATED)
async def create_cluster(
    body: NewCluster, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> Cluster:
    """Create a cluster of descendant organisations; the system gives it a short name."""
    return await service_clusters.create_cluster(
        context(request, runtime, caller),
        caller,
        organisation=body.organisation,
        name=body.name,
        description=body.description,
        members=body.organisations,
    )


@router.get("/clusters/{cluster_id}")
async def cluster(
    cluster_id: str, request: Request, response: Response, runtime: RuntimeDep, caller: CallerDep
) -> Cluster:
    """One cluster with its organisations; the ETag is the version to send as If-Match."""
    found = await service_clusters.get_cluster(context(request, runtime, caller), caller, cluster_id)
    tag(response, found.version)
    return found


@router.put("/clusters/{cluster_id}")
async def submit_cluster(
    cluster_id: str,
    body: ClusterEdit,
    *,
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    caller: CallerDep,
    if_match: IfMatch = None,
) -> Cluster:
    """Submit: one whole edit of the cluster (name, description, organisations), made from the
    version its ETag named (If-Match, required): a stale edit is refused with 412."""
    saved = await service_clusters.submit_cluster(
        context(request, runtime, caller),
        caller,
        cluster_id,
        if_match=expected_version(if_match, "cluster"),
        name=body.name,
        description=body.description,
        members=body.organisations,
    )
    tag(response, saved.version)
    return saved
