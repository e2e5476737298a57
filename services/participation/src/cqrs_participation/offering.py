"""The five-step offer as use cases: each step loads the draft, checks, decides and saves it."""

from __future__ import annotations

import asyncio
import uuid

from cqrs_contracts.events import OfferMade
from cqrs_kit import clock
from cqrs_kit.errors import NotFound
from cqrs_kit.idempotency import derived_id
from cqrs_participation import access
from cqrs_participation.catalogue_service import visible
from cqrs_participation.context import Context, found, refused
from cqrs_participation.domain import drafts
from cqrs_participation.domain.dates import OfferDates, default_dates
from cqrs_participation.domain.definition import ServiceDefinition
from cqrs_participation.domain.drafts import OfferDraft
from cqrs_participation.domain.errors import RuleBroken
from cqrs_participation.domain.offers import Offer, live_key
from cqrs_participation.domain.requests import answered
from cqrs_participation.store import hold_live, hold_live_many, stores

SAVE_BATCH = 64
"""Offers saved at once when confirming to many providers."""


async def _draft(ctx: Context, draft_id: str) -> OfferDraft:
    draft = await found(ctx.stores.drafts, draft_id, "offer draft")
    await access.require_commissioner(ctx.runtime, ctx.user, draft.commissioner_organisation_id)
    return draft


async def _service(ctx: Context, quality_service_id: str) -> tuple[int, ServiceDefinition]:
    service = await visible(ctx, quality_service_id)
    if service is None or service.current is None:
        msg = f"no published quality service {quality_service_id} is available to you"
        raise refused(RuleBroken(msg, field="quality_service_id"))
    return service.published_version, service.current


async def _drafted_service(ctx: Context, draft: OfferDraft) -> ServiceDefinition:
    if draft.quality_service_id is None or draft.quality_service_version is None:
        raise refused(RuleBroken("complete step 1 (service) first", field="quality_service_id"))
    service = await found(ctx.stores.services, draft.quality_service_id, "quality service")
    definition = service.version_of(draft.quality_service_version)
    assert definition is not None
    return definition


async def start(
    ctx: Context, commissioner: str, quality_service_id: str, request_id: str | None = None
) -> OfferDraft:
    """Step 1: open a draft for a commissioning organisation with the chosen service."""
    await access.require_commissioner(
        ctx.runtime, ctx.user, commissioner, field="commissioner_organisation_id"
    )
    version, definition = await _service(ctx, quality_service_id)
    draft = drafts.start(str(uuid.uuid4()), commissioner, actor=ctx.actor, now=clock.now())
    draft = drafts.select_service(draft, quality_service_id, version, definition)
    draft = draft.model_copy(update={"request_id": request_id})
    return await ctx.save(ctx.stores.drafts, draft)


async def select_service(ctx: Context, draft_id: str, quality_service_id: str) -> OfferDraft:
    """Step 1 again: another service (the dates start over)."""
    draft = await _draft(ctx, draft_id)
    version, definition = await _service(ctx, quality_service_id)
    try:
        state = drafts.select_service(draft, quality_service_id, version, definition)
    except RuleBroken as exc:
        raise refused(exc) from exc
    return await ctx.save(ctx.stores.drafts, state)


async def suggested_dates(ctx: Context, draft_id: str) -> OfferDates:
    """Step 2's starting values: the draft's dates, or the service's period."""
    draft = await _draft(ctx, draft_id)
    return draft.dates or default_dates(await _drafted_service(ctx, draft), clock.now().date())


async def set_details(ctx: Context, draft_id: str, dates: OfferDates) -> OfferDraft:
    """Step 2: the dates, checked against the original service's dates and today."""
    draft = await _draft(ctx, draft_id)
    service = await _drafted_service(ctx, draft)
    try:
        state = drafts.set_details(draft, dates, service, today=clock.now().date())
    except RuleBroken as exc:
        raise refused(exc) from exc
    return await ctx.save(ctx.stores.drafts, state)


async def candidates(ctx: Context, draft_id: str) -> dict[str, str]:
    """Step 3's choices: providers the user may offer to, code -> name."""
    draft = await _draft(ctx, draft_id)
    return await access.offerable_providers(ctx.runtime, ctx.user, draft.commissioner_organisation_id)


async def set_providers(ctx: Context, draft_id: str, providers: list[str], *, select_all: bool) -> OfferDraft:
    """Step 3: the providers (or all of them)."""
    draft = await _draft(ctx, draft_id)
    allowed = await access.offerable_providers(ctx.runtime, ctx.user, draft.commissioner_organisation_id)
    try:
        state = drafts.set_providers(draft, sorted(allowed) if select_all else providers, set(allowed))
    except RuleBroken as exc:
        raise refused(exc) from exc
    return await ctx.save(ctx.stores.drafts, state)


async def submit(ctx: Context, draft_id: str) -> OfferDraft:
    """Step 4: reviewed and submitted; waits for the confirmation."""
    draft = await _draft(ctx, draft_id)
    try:
        state = drafts.submit(draft, await _drafted_service(ctx, draft), today=clock.now().date())
    except RuleBroken as exc:
        raise refused(exc) from exc
    return await ctx.save(ctx.stores.drafts, state)


async def confirm(ctx: Context, draft_id: str) -> tuple[OfferDraft, dict[str, str]]:
    """Step 5: one offer and one OfferMade per provider; providers with a live offer are refused.

    Offer ids derive from the draft and provider, so a confirmation repeated after a crash makes
    the same offers rather than new ones. Returns the draft and, per refused provider, why.
    """
    draft = await _draft(ctx, draft_id)
    service = await _drafted_service(ctx, draft)
    assert draft.quality_service_id is not None
    now = clock.now()
    ids = {p: derived_id(draft.draft_id, f"offer:{p}") for p in draft.providers}
    slots = {live_key(draft.quality_service_id, p): ids[p] for p in draft.providers}
    live = ctx.stores.live
    taken = await hold_live_many(live, slots, now)
    holders: dict[str, str] = {}
    for key in taken:
        holder = await hold_live(live, key, slots[key], lambda offer_id: _is_live(ctx, offer_id), now)
        if holder is not None:
            holders[key.split("|", 1)[1]] = holder
    offer_ids = {p: i for p, i in ids.items() if p not in holders}
    names = await access.offerable_providers(ctx.runtime, ctx.user, draft.commissioner_organisation_id)
    try:
        confirmed, made = drafts.confirm(draft, offer_ids, service, names, actor=ctx.actor, now=now)
    except RuleBroken as exc:
        for provider, offer_id in offer_ids.items():
            await live.delete_one({"_id": live_key(draft.quality_service_id, provider), "offer_id": offer_id})
        raise refused(exc) from exc
    for start_at in range(0, len(made), SAVE_BATCH):
        batch = made[start_at : start_at + SAVE_BATCH]
        await asyncio.gather(*(_save_new_offer(ctx, offer, [event]) for offer, event in batch))
    if draft.request_id is not None and made:
        await _answer_request(ctx, draft.request_id, made[0][0].offer_id)
    refusals = {p: f"{p} already has a live offer of this service ({h})" for p, h in holders.items()}
    return await ctx.save(ctx.stores.drafts, confirmed), refusals


async def _save_new_offer(ctx: Context, offer: Offer, events: list[OfferMade]) -> None:
    existing = await ctx.stores.offers.get(offer.offer_id)
    if existing is None:  # a repeated confirmation finds its offers already saved
        await ctx.save(ctx.stores.offers, offer, events)


async def _is_live(ctx: Context, offer_id: str) -> bool | None:
    offer = await stores(ctx.runtime).offers.get(offer_id)
    return None if offer is None else offer.live


async def _answer_request(ctx: Context, request_id: str, offer_id: str) -> None:
    request = await ctx.stores.requests.get(request_id)
    if request is None:
        raise NotFound(f"no service request {request_id}")
    await ctx.save(ctx.stores.requests, answered(request, offer_id))
