"""What providers and commissioners do to offers: accept, reject, withdraw, cancel, reissue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel

from cqrs_kit import clock
from cqrs_kit.errors import DomainError, NotFound
from cqrs_participation import access
from cqrs_participation.context import Context, found, refused
from cqrs_participation.domain import decisions
from cqrs_participation.domain.dates import OfferDates
from cqrs_participation.domain.errors import AlreadyOffered, RuleBroken
from cqrs_participation.domain.offers import Offer
from cqrs_participation.store import hold_live, release_live


class ProviderResult(BaseModel):
    """What happened to one provider's offer in a withdraw or cancel of many."""

    provider_organisation_id: str
    offer_id: str | None
    outcome: Literal["withdrawn", "cancelled", "refused", "not_found"]
    status: str | None = None
    message: str = ""


async def _commit(ctx: Context, before: Offer, decision: decisions.Decision) -> Offer:
    state, events = decision
    saved = await ctx.save(ctx.stores.offers, state, events)
    if before.live and not saved.live:
        await release_live(ctx.stores.live, saved.live_key(), saved.offer_id)
    return saved


async def _provider_offer(ctx: Context, offer_id: str) -> Offer:
    offer = await found(ctx.stores.offers, offer_id, "offer")
    await access.require_service_manager(ctx.runtime, ctx.user, offer.provider_organisation_id)
    return offer


async def _commissioned_offer(ctx: Context, offer: Offer) -> None:
    await access.require_commissioner(
        ctx.runtime, ctx.user, offer.commissioner_organisation_id, payment_type=offer.payment_type
    )
    await access.require_commissioner(
        ctx.runtime,
        ctx.user,
        offer.provider_organisation_id,
        payment_type=offer.payment_type,
        field="provider_organisation_id",
    )


def _act(ctx: Context) -> decisions.Act:
    return decisions.Act(actor=ctx.actor, now=clock.now())


async def accept(ctx: Context, offer_id: str) -> Offer:
    """The provider accepts: Approved (OfferAccepted)."""
    offer = await _provider_offer(ctx, offer_id)
    try:
        return await _commit(ctx, offer, decisions.accept(offer, _act(ctx)))
    except RuleBroken as exc:
        raise refused(exc) from exc


async def reject(ctx: Context, offer_id: str, reason: str | None) -> Offer:
    """The provider rejects, optionally saying why (OfferRejected)."""
    offer = await _provider_offer(ctx, offer_id)
    try:
        return await _commit(ctx, offer, decisions.reject(offer, _act(ctx), reason))
    except RuleBroken as exc:
        raise refused(exc) from exc


async def end_many(
    ctx: Context,
    quality_service_id: str,
    providers: list[str],
    how: Literal["withdraw", "cancel"],
    reason: str | None,
) -> list[ProviderResult]:
    """Withdraw (Offered) or cancel (Approved, Rejected) one service's offers to many providers."""
    decide: Callable[[Offer, decisions.Act, str | None], decisions.Decision] = (
        decisions.withdraw if how == "withdraw" else decisions.cancel
    )
    done: Literal["withdrawn", "cancelled"] = "withdrawn" if how == "withdraw" else "cancelled"
    results: list[ProviderResult] = []
    for provider in dict.fromkeys(providers):
        offers = await ctx.stores.offers.find(
            {"quality_service_id": quality_service_id, "provider_organisation_id": provider}
        )
        if not offers:
            results.append(
                ProviderResult(provider_organisation_id=provider, offer_id=None, outcome="not_found")
            )
            continue
        offer = max(offers, key=lambda o: (o.live, o.offered_at))
        try:
            await _commissioned_offer(ctx, offer)
            saved = await _commit(ctx, offer, decide(offer, _act(ctx), reason))
        except (DomainError, RuleBroken) as exc:
            message = exc.message if isinstance(exc, RuleBroken) else exc.detail
            results.append(
                ProviderResult(
                    provider_organisation_id=provider,
                    offer_id=offer.offer_id,
                    outcome="refused",
                    status=offer.status,
                    message=message,
                )
            )
            continue
        results.append(
            ProviderResult(
                provider_organisation_id=provider, offer_id=offer.offer_id, outcome=done, status=saved.status
            )
        )
    return results


async def reissue(ctx: Context, offer_id: str, dates: OfferDates) -> Offer:
    """The commissioner offers a Rejected or Cancelled offer again, with new dates (OfferReissued)."""
    offer = await found(ctx.stores.offers, offer_id, "offer")
    await _commissioned_offer(ctx, offer)
    service = await ctx.stores.services.get(offer.quality_service_id)
    if service is None or service.current is None:
        raise NotFound(f"no quality service {offer.quality_service_id}")
    try:
        decision = decisions.reissue(offer, _act(ctx), dates, service.current, service.published_version)
    except RuleBroken as exc:
        raise refused(exc) from exc
    now = clock.now()

    async def is_live(holder: str) -> bool | None:
        other = await ctx.stores.offers.get(holder)
        return None if other is None else other.live

    holder = await hold_live(ctx.stores.live, offer.live_key(), offer.offer_id, is_live, now)
    if holder is not None:
        msg = f"{offer.provider_organisation_id} already has a live offer of this service ({holder})"
        raise refused(AlreadyOffered(msg, field="offer_id"))
    return await _commit(ctx, offer, decision)
