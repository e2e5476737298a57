"""Service Provider Cluster and Allocated Reports use cases (Organisation Administrators)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from cqrs_contracts.events.identity import AllocatedService
from cqrs_identity.access import Caller
from cqrs_identity.context import Context
from cqrs_identity.domain import allocations, clusters
from cqrs_identity.domain.errors import Unknown
from cqrs_identity.domain.roles import ORGANISATION_MANAGER_ROLES, USER_MANAGER_ROLES


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
    return await ctx.stores.clusters.save(
        state, events, correlation_id=ctx.correlation_id, actor=caller.actor.user_id
    )


async def change_cluster(
    ctx: Context,
    caller: Caller,
    cluster_id: str,
    *,
    name: str | None = None,
    description: str | None = None,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> clusters.Cluster:
    """Rename or describe a cluster, or add and remove its organisations."""
    cluster = await ctx.stores.clusters.get(cluster_id)
    if cluster is None:
        raise Unknown(f"there is no cluster {cluster_id}", field="cluster_id")
    _administer(caller, cluster.organisation, "change clusters")
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
    return await ctx.stores.clusters.save(
        state, events, correlation_id=ctx.correlation_id, actor=caller.actor.user_id
    )


def _may_allocate(caller: Caller, organisation: str, descendant: str) -> None:
    _administer(caller, organisation, "allocate reports")
    caller.actor.require(ORGANISATION_MANAGER_ROLES, descendant, doing="allocate reports", field="descendant")


async def _allocation(ctx: Context, organisation: str, descendant: str) -> allocations.Allocation:
    found = await ctx.stores.allocations.get(allocations.allocation_id(organisation, descendant))
    return found or allocations.empty(organisation, descendant)


async def allocate(
    ctx: Context, caller: Caller, organisation: str, descendant: str, services: Sequence[AllocatedService]
) -> allocations.Allocation:
    """Let a descendant run reports on some of the organisation's Quality Services."""
    _may_allocate(caller, organisation, descendant)
    state = await _allocation(ctx, organisation, descendant)
    events = allocations.allocate(state, services, caller.tree, caller.actor.user_id, ctx.now)
    if not events:
        return state
    return await ctx.stores.allocations.save(
        allocations.apply(state, events[0]),
        events,
        correlation_id=ctx.correlation_id,
        actor=caller.actor.user_id,
    )


async def unallocate(
    ctx: Context, caller: Caller, organisation: str, descendant: str, quality_service_ids: Sequence[str]
) -> allocations.Allocation:
    """Take back report access to some Quality Services."""
    _may_allocate(caller, organisation, descendant)
    state = await _allocation(ctx, organisation, descendant)
    events = allocations.remove(state, quality_service_ids, caller.actor.user_id, ctx.now)
    return await ctx.stores.allocations.save(
        allocations.apply(state, events[0]),
        events,
        correlation_id=ctx.correlation_id,
        actor=caller.actor.user_id,
    )


async def list_allocations(
    ctx: Context,
    caller: Caller,
    organisation: str,
    *,
    descendant: str | None,
    financial_year: str | None,
    payment_type: str | None,
) -> list[allocations.Allocation]:
    """What an organisation allocated to its descendants, filtered as the screen does."""
    _administer(caller, organisation, "see allocated reports")
    query: dict[str, str] = {"organisation": organisation}
    if descendant is not None:
        query["descendant"] = descendant
    found = await ctx.stores.allocations.find(query)
    return [
        a.model_copy(
            update={
                "services": allocations.matching(
                    a.services, financial_year=financial_year, payment_type=payment_type
                )
            }
        )
        for a in sorted(found, key=lambda a: a.descendant)
        if caller.actor.holds(ORGANISATION_MANAGER_ROLES, a.descendant)
    ]
