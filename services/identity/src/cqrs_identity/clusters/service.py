"""Service Provider Cluster use cases (Organisation Administrators)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from cqrs_identity.access import Caller
from cqrs_identity.clusters import cluster as clusters
from cqrs_identity.context import Context
from cqrs_identity.errors import Unknown
from cqrs_identity.users.roles import ORGANISATION_MANAGER_ROLES, USER_MANAGER_ROLES
from cqrs_kit.logs import get_logger
from cqrs_kit.preconditions import check

log = get_logger(__name__)


def _administer(caller: Caller, organisation: str, doing: str) -> None:
    caller.actor.require(ORGANISATION_MANAGER_ROLES, organisation, doing=doing)


async def _taken_names(ctx: Context, organisation: str) -> list[str]:
    return [c.name for c in await ctx.stores.clusters.find({"organisation": organisation})]


async def list_clusters(ctx: Context, caller: Caller, organisation: str) -> list[clusters.Cluster]:
    """The clusters of an organisation (for its administrators and user administrators)."""
    caller.actor.require(ORGANISATION_MANAGER_ROLES | USER_MANAGER_ROLES, organisation, doing="see clusters")
    found = await ctx.stores.clusters.find({"organisation": organisation})
    return sorted(found, key=lambda c: c.short_name)


async def get_cluster(ctx: Context, caller: Caller, cluster_id: str) -> clusters.Cluster:
    """One cluster, if the caller may see its organisation's clusters."""
    cluster = await ctx.stores.clusters.get(cluster_id)
    if cluster is None:
        raise Unknown(f"there is no cluster {cluster_id}", field="cluster_id")
    caller.actor.require(
        ORGANISATION_MANAGER_ROLES | USER_MANAGER_ROLES,
        cluster.organisation,
        doing="see clusters",
    )
    return cluster


async def create_cluster(
    ctx: Context, caller: Caller, *, organisation: str, name: str, description: str, members: Sequence[str]
) -> clusters.Cluster:
    """Create a cluster with a system-made short name."""
    _administer(caller, organisation, "create clusters")
    events = clusters.create(
        cluster_id=str(uuid.uuid4()),
        organisation=organisation,
        sequence=await ctx.stores.next_number(f"cluster:{organisation}"),
        name=name,
        description=description,
        organisations=members,
        taken_names=await _taken_names(ctx, organisation),
        tree=caller.tree,
        actor=caller.actor.user_id,
        now=ctx.now,
    )
    state = clusters.apply(None, events[0])
    saved = await ctx.stores.clusters.save(
        state, events, correlation_id=ctx.correlation_id, actor=caller.actor.user_id
    )
    log.info(
        "cluster changed",
        cluster_id=saved.cluster_id,
        actor=caller.actor.user_id,
        events=[e.name for e in events],
    )
    return saved


async def submit_cluster(
    ctx: Context,
    caller: Caller,
    cluster_id: str,
    *,
    if_match: int,
    name: str,
    description: str,
    members: Sequence[str],
) -> clusters.Cluster:
    """Submit one whole edit of a cluster (name, description, organisations) made from version
    ``if_match``: refused with 412 when someone changed the cluster since."""
    cluster = await ctx.stores.clusters.get(cluster_id)
    if cluster is None:
        raise Unknown(f"there is no cluster {cluster_id}", field="cluster_id")
    _administer(caller, cluster.organisation, "change clusters")
    check(if_match, cluster.version, "cluster")
    wanted = list(dict.fromkeys(members))
    return await _change(
        ctx,
        caller,
        cluster,
        name=name,
        description=description,
        add=[c for c in wanted if c not in cluster.organisations],
        remove=[c for c in cluster.organisations if c not in wanted],
    )


async def _change(
    ctx: Context,
    caller: Caller,
    cluster: clusters.Cluster,
    *,
    name: str,
    description: str,
    add: Sequence[str],
    remove: Sequence[str],
) -> clusters.Cluster:
    events = clusters.change(
        cluster,
        name=name,
        description=description,
        add=add,
        remove=remove,
        taken_names=await _taken_names(ctx, cluster.organisation),
        tree=caller.tree,
        actor=caller.actor.user_id,
        now=ctx.now,
    )
    if not events:
        return cluster
    state = clusters.apply(cluster, events[0])
    saved = await ctx.stores.clusters.save(
        state, events, correlation_id=ctx.correlation_id, actor=caller.actor.user_id
    )
    log.info(
        "cluster changed",
        cluster_id=saved.cluster_id,
        actor=caller.actor.user_id,
        events=[e.name for e in events],
    )
    return saved
