"""Service Provider Cluster routes (Organisation Administrators; User Administrators may look)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cqrs_contracts.values import OdsCode
from cqrs_identity.access import CallerDep
from cqrs_identity.api_common import context
from cqrs_identity.clusters import service as service_clusters
from cqrs_identity.clusters.cluster import DESCRIPTION_MAX, NAME_MAX, NO_CLUSTERS_MESSAGE, Cluster
from cqrs_identity.routing import router as make_router
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


class ClusterDetails(BaseModel):
    """A new name and/or description (the short name never changes)."""

    model_config = ConfigDict(extra="forbid")

    name: ClusterName | None = None
    description: Description | None = None


class ClusterMembers(BaseModel):
    """Organisations to add to or remove from a cluster."""

    model_config = ConfigDict(extra="forbid")

    organisations: list[OdsCode] = Field(min_length=1, max_length=10_000)


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
async def cluster(cluster_id: str, request: Request, runtime: RuntimeDep, caller: CallerDep) -> Cluster:
    """One cluster with its organisations."""
    return await service_clusters.get_cluster(context(request, runtime, caller), caller, cluster_id)


@router.patch("/clusters/{cluster_id}")
async def change_cluster(
    cluster_id: str, body: ClusterDetails, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> Cluster:
    """Rename or re-describe a cluster."""
    return await service_clusters.change_cluster(
        context(request, runtime, caller), caller, cluster_id, name=body.name, description=body.description
    )


@router.post("/clusters/{cluster_id}/organisations")
async def add_organisations(
    cluster_id: str, body: ClusterMembers, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> Cluster:
    """Add organisations to a cluster."""
    return await service_clusters.change_cluster(
        context(request, runtime, caller), caller, cluster_id, add=body.organisations
    )


@router.post("/clusters/{cluster_id}/organisations/remove")
async def remove_organisations(
    cluster_id: str, body: ClusterMembers, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> Cluster:
    """Remove organisations from a cluster."""
    return await service_clusters.change_cluster(
        context(request, runtime, caller), caller, cluster_id, remove=body.organisations
    )
