"""Allocated Reports use cases (Organisation Administrators)."""

from __future__ import annotations

from collections.abc import Sequence

from cqrs_contracts.events.identity import AllocatedService
from cqrs_identity.access import Caller
from cqrs_identity.allocations import allocation as allocations
from cqrs_identity.context import Context
from cqrs_identity.users.roles import ORGANISATION_MANAGER_ROLES
from cqrs_kit.logs import get_logger

log = get_logger(__name__)


def _administer(caller: Caller, organisation: str, doing: str) -> None:
    caller.actor.require(ORGANISATION_MANAGER_ROLES, organisation, doing=doing)


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
    saved = await ctx.stores.allocations.save(
        allocations.apply(state, events[0]),
        events,
        correlation_id=ctx.correlation_id,
        actor=caller.actor.user_id,
    )
    log.info(
        "allocation changed",
        allocation_id=saved.allocation_id,
        actor=caller.actor.user_id,
        events=[e.name for e in events],
    )
    return saved


async def unallocate(
    ctx: Context, caller: Caller, organisation: str, descendant: str, quality_service_ids: Sequence[str]
) -> allocations.Allocation:
    """Take back report access to some Quality Services."""
    _may_allocate(caller, organisation, descendant)
    state = await _allocation(ctx, organisation, descendant)
    events = allocations.remove(state, quality_service_ids, caller.actor.user_id, ctx.now)
    saved = await ctx.stores.allocations.save(
        allocations.apply(state, events[0]),
        events,
        correlation_id=ctx.correlation_id,
        actor=caller.actor.user_id,
    )
    log.info(
        "allocation changed",
        allocation_id=saved.allocation_id,
        actor=caller.actor.user_id,
        events=[e.name for e in events],
    )
    return saved


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
