"""Demo data for `make run`: NHS England, 2 regions, 3 ICBs, 6 PCNs, 42 practices (some moved PCN),
a cluster, an allocation, pending requests and one user per role (see DEMO_USERS.md).

Loading twice changes nothing. Demo users get a published password, so they are refused anywhere
but development: ``python -m cqrs_identity.demo`` (uses the CQRS_ environment like the service).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys

from cqrs_contracts.events.identity import AllocatedService
from cqrs_identity.access import organisation_tree
from cqrs_identity.allocations import allocation as allocations
from cqrs_identity.allocations import quality_services
from cqrs_identity.clusters import cluster as clusters
from cqrs_identity.context import Context
from cqrs_identity.demo_data import (
    CLUSTER,
    DEMO_PASSWORD,
    PENDING_REGISTRATION,
    USERS,
    organisations,
    relationships,
)
from cqrs_identity.onboarding.service import register, save
from cqrs_identity.organisations.service import import_organisations
from cqrs_identity.provision import provision_user
from cqrs_identity.users import account_access
from cqrs_identity.users.roles import Role, RoleAssignment
from cqrs_kit.runtime import Runtime

ALLOCATED = AllocatedService(quality_service_id="qs-qof-2025", financial_year="2025/26", payment_type="QOF")


class NotDevelopment(RuntimeError):
    """Demo users have a published password: they may only be loaded in development."""


async def _cluster(ctx: Context) -> str:
    owner, name, members = CLUSTER
    found = await ctx.stores.clusters.find({"organisation": owner, "name_key": clusters.name_key(name)})
    if found:
        return found[0].cluster_id
    tree = await organisation_tree(ctx.runtime)
    events = clusters.create(
        cluster_id=f"demo-{owner.lower()}-1",
        organisation=owner,
        sequence=await ctx.stores.next_number(f"cluster:{owner}"),
        name=name,
        description="Practices and the PCN around Harrow",
        organisations=members,
        taken_names=[],
        tree=tree,
        actor=ctx.actor_id,
        now=ctx.now,
    )
    state = clusters.apply(None, events[0])
    saved = await ctx.stores.clusters.save(
        state, events, correlation_id=ctx.correlation_id, actor=ctx.actor_id
    )
    return saved.cluster_id


DEMO_QUALITY_SERVICES = (
    quality_services.QualityService(
        quality_service_id=ALLOCATED.quality_service_id,
        service_version=1,
        service_name="QOF 2025/26",
        commissioner="QRV",
        financial_year=ALLOCATED.financial_year,
        payment_type=ALLOCATED.payment_type,
    ),
    quality_services.QualityService(
        quality_service_id="qs-les-flu-2025",
        service_version=1,
        service_name="Flu LES 2025/26",
        commissioner="QRV",
        financial_year="2025/26",
        payment_type="LES",
    ),
)
"""QRV's Quality Services as if learnt from participation (the demo allocation names the first)."""


async def _allocation(ctx: Context) -> None:
    for service in DEMO_QUALITY_SERVICES:
        await quality_services.record(ctx.runtime, service)
    tree = await organisation_tree(ctx.runtime)
    store = ctx.stores.allocations
    state = await store.get(allocations.allocation_id("QRV", "U10001")) or allocations.empty("QRV", "U10001")
    events = allocations.allocate(state, [ALLOCATED], tree, ctx.actor_id, ctx.now)
    if events:
        await store.save(
            allocations.apply(state, events[0]), events, correlation_id=ctx.correlation_id, actor=ctx.actor_id
        )


async def _pending(ctx: Context) -> None:
    email, first, last, organisation = PENDING_REGISTRATION
    if await ctx.stores.account_by_email(email) is None:
        await register(
            ctx,
            email=email,
            first_name=first,
            last_name=last,
            organisation=organisation,
            role=Role.LOCAL_USER_SINGLE_LEVEL,
            address="demo-data",
        )
    priya = await ctx.stores.account_by_email("priya.practice-user@demo.cqrs.local")
    if priya is not None and not any(r.organisation == "E85003" for r in priya.requests):
        events = account_access.request_access(
            priya,
            request_id="demo-access-request-1",
            organisation="E85003",
            role="Local User (single-level)",
            now=ctx.now,
        )
        await save(ctx, priya, events)


async def load_demo(runtime: Runtime) -> None:
    """Load the demo organisations, relationships, cluster, allocation and users (idempotent)."""
    if runtime.settings.environment != "development":
        msg = (
            f"demo users have a published password; refusing to load them in {runtime.settings.environment!r}"
        )
        raise NotDevelopment(msg)
    ctx = Context(runtime, "demo", now=dt.datetime.now(dt.UTC))
    await import_organisations(ctx, organisations(), relationships())
    cluster_id = await _cluster(ctx)
    await _allocation(ctx)
    for user in USERS:
        roles = {org: [RoleAssignment(role=Role(r)) for r in held] for org, held in user.roles.items()}
        limits = {org: [cluster_id] for org in user.clustered_at}
        await provision_user(
            ctx,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            password=DEMO_PASSWORD,
            roles=roles,
            clusters=limits,
        )
    await _pending(ctx)


async def _main() -> int:
    from cqrs_identity.settings import IdentitySettings  # noqa: PLC0415 - reads the environment
    from cqrs_identity.store import INDEXES  # noqa: PLC0415

    runtime = Runtime.build(IdentitySettings(), outbox_collections=[])
    try:
        await runtime.mongo.ensure_indexes(INDEXES)
        await load_demo(runtime)
    except NotDevelopment as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        await runtime.mongo.close()
    print(
        f"identity demo data loaded; {len(USERS)} demo users (see services/identity/"
        "DEMO_USERS.md); the running identity service publishes their events"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main()))
