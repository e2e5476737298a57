"""Catalogue use cases: define, edit, discard, publish and read Quality Services."""

from __future__ import annotations

import re
import uuid
from typing import Any

from cqrs_kit import clock
from cqrs_kit.errors import NotFound
from cqrs_participation import access
from cqrs_participation.context import Context, found, refused
from cqrs_participation.domain import catalogue
from cqrs_participation.domain.catalogue import QualityService
from cqrs_participation.domain.definition import ServiceDefinition
from cqrs_participation.domain.errors import RuleBroken
from cqrs_participation.store import Page, page


async def _owned(ctx: Context, quality_service_id: str) -> QualityService:
    service = await found(ctx.stores.services, quality_service_id, "quality service")
    await access.require_commissioner(ctx.runtime, ctx.user, service.owner)
    return service


async def define(ctx: Context, definition: ServiceDefinition, based_on: str | None = None) -> QualityService:
    """Start a new service as a draft of the commissioner named in it."""
    await access.require_commissioner(
        ctx.runtime, ctx.user, definition.commissioner_organisation_id, field="commissioner_organisation_id"
    )
    if based_on is not None and await visible(ctx, based_on) is None:
        raise NotFound(f"no quality service {based_on}")
    try:
        state = catalogue.define(
            str(uuid.uuid4()), definition, actor=ctx.actor, now=clock.now(), based_on=based_on
        )
    except RuleBroken as exc:
        raise refused(exc) from exc
    return await ctx.save(ctx.stores.services, state)


async def edit(ctx: Context, quality_service_id: str, definition: ServiceDefinition) -> QualityService:
    """Replace the draft (of the next version, when the service is published)."""
    service = await _owned(ctx, quality_service_id)
    try:
        state = catalogue.edit(service, definition)
    except RuleBroken as exc:
        raise refused(exc) from exc
    return await ctx.save(ctx.stores.services, state)


async def discard(ctx: Context, quality_service_id: str) -> QualityService:
    """Throw the draft away."""
    service = await _owned(ctx, quality_service_id)
    try:
        state = catalogue.discard_draft(service)
    except RuleBroken as exc:
        raise refused(exc) from exc
    return await ctx.save(ctx.stores.services, state)


async def publish(ctx: Context, quality_service_id: str) -> QualityService:
    """Publish the draft as the next version (QualityServicePublished)."""
    service = await _owned(ctx, quality_service_id)
    try:
        state, events = catalogue.publish(service, actor=ctx.actor, now=clock.now())
    except RuleBroken as exc:
        raise refused(exc) from exc
    return await ctx.save(ctx.stores.services, state, events)


async def available_owners(ctx: Context) -> set[str]:
    """Owners whose services the user may see: where they commission, and every organisation above."""
    reach = await access.commissioner_reach(ctx.runtime, ctx.user)
    owners = set(reach)
    for organisation in [o for o in reach if await access.directory(ctx.runtime).organisation(o)]:
        owners.update(await access.ancestors(ctx.runtime, organisation))
    return owners


async def visible(ctx: Context, quality_service_id: str) -> QualityService | None:
    """A service the user may see (their own or one above them), else None."""
    service = await ctx.stores.services.get(quality_service_id)
    if service is None or service.owner not in await available_owners(ctx):
        return None
    return service


async def listing(
    ctx: Context,
    *,
    financial_year: str | None,
    payment_type: str | None,
    published_only: bool,
    search: str | None,
    limit: int,
    number: int,
) -> Page[QualityService]:
    """Services available to the user, newest first, filtered."""
    query: dict[str, Any] = {"owner": {"$in": sorted(await available_owners(ctx))}}
    if published_only:
        query["published_version"] = {"$gt": 0}
    if financial_year:
        query["financial_year"] = financial_year
    if payment_type:
        query["payment_type"] = payment_type
    if search:
        query["service_name"] = {"$regex": re.escape(search.strip()), "$options": "i"}
    return await page(
        ctx.stores.services,
        "quality_service_id",
        query,
        sort=[("created_at", -1)],
        limit=limit,
        number=number,
    )
