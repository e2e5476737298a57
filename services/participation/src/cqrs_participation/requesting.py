"""CQRS Local: a provider asks to be offered a service; the commissioner sees the requests."""

from __future__ import annotations

import uuid
from typing import Literal

from cqrs_kit import clock
from cqrs_kit.errors import NotFound
from cqrs_participation import access
from cqrs_participation.context import Context, refused
from cqrs_participation.domain import requests
from cqrs_participation.domain.errors import RuleBroken
from cqrs_participation.domain.offers import LIVE, live_key
from cqrs_participation.domain.requests import ServiceRequest
from cqrs_participation.store import Page, page


async def request_service(
    ctx: Context, provider: str, quality_service_id: str, note: str | None
) -> ServiceRequest:
    """Ask the service's commissioner for an offer of a published service available to the provider."""
    await access.require_service_manager(ctx.runtime, ctx.user, provider)
    service = await ctx.stores.services.get(quality_service_id)
    above = await access.ancestors(ctx.runtime, provider)
    if service is None or service.current is None or service.owner not in above:
        raise NotFound(f"no published quality service {quality_service_id} is available to {provider}")
    holder = await ctx.stores.live.find_one({"_id": live_key(quality_service_id, provider)})
    live = False
    if holder is not None:
        offer = await ctx.stores.offers.get(str(holder["offer_id"]))
        live = offer is not None and offer.status in LIVE
    try:
        state, events = requests.request_service(
            str(uuid.uuid4()),
            quality_service_id=quality_service_id,
            service_name=service.current.service_name,
            commissioner=service.owner,
            provider=provider,
            financial_year=service.current.financial_year,
            note=note,
            live_offer=live,
            actor=ctx.actor,
            now=clock.now(),
        )
    except RuleBroken as exc:
        raise refused(exc) from exc
    return await ctx.save(ctx.stores.requests, state, events)


async def listing(
    ctx: Context, status: Literal["Requested", "Offered"] | None, limit: int, number: int
) -> Page[ServiceRequest]:
    """Requests to the commissioners the caller acts for, or from the providers they manage."""
    reach = await access.commissioner_reach(ctx.runtime, ctx.user, act=True)
    providers = await access.provider_reach(ctx.runtime, ctx.user)
    query: dict[str, object] = {
        "$or": [
            {"commissioner_organisation_id": {"$in": sorted(reach)}},
            {"provider_organisation_id": {"$in": sorted(providers)}},
        ]
    }
    if status:
        query["status"] = status
    return await page(
        ctx.stores.requests, "request_id", query, sort=[("requested_at", -1)], limit=limit, number=number
    )
