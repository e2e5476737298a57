"""The lists users read: Offered Services -> a service's providers -> a provider's offers; My
Services; one offer in full. Each list is filtered to what the caller may see, then paged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from cqrs_kit import clock
from cqrs_kit.errors import NotFound
from cqrs_participation import access
from cqrs_participation.context import Context, found
from cqrs_participation.domain.definition import ServiceDefinition, financial_year_of
from cqrs_participation.domain.offers import Offer, OfferStatus
from cqrs_participation.store import Page

T = TypeVar("T")


@dataclass(frozen=True)
class Paging:
    """Which page of how many items, and a search of code and name."""

    limit: int
    number: int
    search: str | None = None


def current_year() -> str:
    """The financial year today falls in (lists show it by default)."""
    return financial_year_of(clock.now().date())


def _slice(items: Sequence[T], paging: Paging) -> Page[T]:
    start = (paging.number - 1) * paging.limit
    return Page(list(items[start : start + paging.limit]), len(items))


def _matches(paging: Paging, *texts: str) -> bool:
    if not paging.search:
        return True
    needle = paging.search.strip().lower()
    return any(needle in text.lower() for text in texts)


class OfferedService(BaseModel):
    """One offered service on the Offered Services list, with how many offers are in each status."""

    quality_service_id: str
    service_name: str
    payment_type: str
    financial_year: str
    commissioner_organisation_id: str
    providers: int
    by_status: dict[str, int] = Field(default_factory=dict)


async def _commissioned(ctx: Context, query: dict[str, Any]) -> list[Offer]:
    """Offers the caller may see as a commissioner (both ends in reach), by query."""
    reach = await access.commissioner_reach(ctx.runtime, ctx.user)
    offers = await ctx.stores.offers.find({**query, "commissioner_organisation_id": {"$in": sorted(reach)}})
    return [o for o in offers if o.provider_organisation_id in reach]


async def offered_services(
    ctx: Context, financial_year: str | None, payment_type: str | None, paging: Paging
) -> Page[OfferedService]:
    """Services offered in a financial year (the current one by default)."""
    query: dict[str, Any] = {"financial_year": financial_year or current_year()}
    if payment_type:
        query["payment_type"] = payment_type
    summaries: dict[str, OfferedService] = {}
    for offer in await _commissioned(ctx, query):
        summary = summaries.setdefault(
            offer.quality_service_id,
            OfferedService(
                quality_service_id=offer.quality_service_id,
                service_name=offer.service_name,
                payment_type=offer.payment_type,
                financial_year=offer.financial_year,
                commissioner_organisation_id=offer.commissioner_organisation_id,
                providers=0,
                by_status={s.value: 0 for s in OfferStatus},
            ),
        )
        summary.providers += 1
        summary.by_status[offer.status.value] += 1
    items = sorted(
        (s for s in summaries.values() if _matches(paging, s.service_name, s.quality_service_id)),
        key=lambda s: (s.service_name, s.quality_service_id),
    )
    return _slice(items, paging)


async def service_providers(
    ctx: Context, quality_service_id: str, status: OfferStatus | None, paging: Paging
) -> Page[Offer]:
    """One service's offers, one per provider, filtered by status (Cancelled includes withdrawn)."""
    query: dict[str, Any] = {"quality_service_id": quality_service_id}
    if status:
        query["status"] = status.value
    offers = await _commissioned(ctx, query)
    items = sorted(
        (o for o in offers if _matches(paging, o.provider_organisation_id, o.provider_name)),
        key=lambda o: (o.provider_name, o.provider_organisation_id, o.offer_id),
    )
    return _slice(items, paging)


async def provider_offers(
    ctx: Context, provider: str, financial_year: str | None, status: OfferStatus | None, paging: Paging
) -> Page[Offer]:
    """Every service offered to one provider (the commissioner's drill-down), by status."""
    query: dict[str, Any] = {
        "provider_organisation_id": provider,
        "financial_year": financial_year or current_year(),
    }
    if status:
        query["status"] = status.value
    offers = await _commissioned(ctx, query)
    return _slice(_by_name(offers, paging), paging)


async def my_services(
    ctx: Context, provider: str | None, financial_year: str | None, status: OfferStatus | None, paging: Paging
) -> Page[Offer]:
    """The provider's My Services: offers to the providers the caller manages, for a year."""
    reach = await access.provider_reach(ctx.runtime, ctx.user)
    providers = sorted(reach & {provider}) if provider else sorted(reach)
    query: dict[str, Any] = {
        "provider_organisation_id": {"$in": providers},
        "financial_year": financial_year or current_year(),
    }
    if status:
        query["status"] = status.value
    return _slice(_by_name(await ctx.stores.offers.find(query), paging), paging)


def _by_name(offers: list[Offer], paging: Paging) -> list[Offer]:
    return sorted(
        (o for o in offers if _matches(paging, o.service_name, o.quality_service_id)),
        key=lambda o: (o.service_name, o.offered_at, o.offer_id),
    )


class OfferDetails(BaseModel):
    """One offer with the published version of the service it offers (QOF domains included)."""

    offer: Offer
    service: ServiceDefinition
    commissioner_name: str


async def offer_details(ctx: Context, offer_id: str) -> OfferDetails:
    """An offer in full, for its commissioner or its provider."""
    offer = await found(ctx.stores.offers, offer_id, "offer")
    may = await access.may_read_offer(
        ctx.runtime, ctx.user, offer.commissioner_organisation_id, offer.provider_organisation_id
    )
    if not may:
        raise NotFound(f"no offer {offer_id}")
    service = await found(ctx.stores.services, offer.quality_service_id, "quality service")
    definition = service.version_of(offer.quality_service_version)
    assert definition is not None
    name = await access.organisation_name(ctx.runtime, offer.commissioner_organisation_id)
    return OfferDetails(offer=offer, service=definition, commissioner_name=name)
