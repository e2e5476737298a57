"""Offer routes: the lists, one offer in full, and accept, reject, withdraw, cancel, reissue, request."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from cqrs_contracts.values import FinancialYear, Id, OdsCode, Text
from cqrs_participation import lifecycle, requesting, views
from cqrs_participation.api_common import Ctx, PageOut, PagingDep, paged
from cqrs_participation.domain.dates import OfferDates
from cqrs_participation.domain.offers import Offer, OfferStatus
from cqrs_participation.domain.requests import ServiceRequest
from cqrs_participation.lifecycle import ProviderResult

router = APIRouter(tags=["offers"])
PaymentType = Annotated[str | None, Query(max_length=100)]


class Reason(BaseModel):
    """An optional reason, shown to the other side."""

    model_config = ConfigDict(extra="forbid")

    reason: Text | None = None


class EndOffers(BaseModel):
    """The providers whose offers of one service to withdraw or cancel."""

    model_config = ConfigDict(extra="forbid")

    provider_organisation_ids: list[OdsCode] = Field(min_length=1, max_length=10_000)
    reason: Text | None = None


class RequestService(BaseModel):
    """A provider asks to be offered a service."""

    model_config = ConfigDict(extra="forbid")

    provider_organisation_id: OdsCode
    quality_service_id: Id
    note: Text | None = None


@router.get("/offered-services")
async def offered_services(
    ctx: Ctx, paging: PagingDep, financial_year: FinancialYear | None = None, payment_type: PaymentType = None
) -> PageOut[views.OfferedService]:
    """Offered Services of a financial year (the current one by default), with counts by status."""
    return paged(await views.offered_services(ctx, financial_year, payment_type, paging), paging)


@router.get("/offered-services/{quality_service_id}/providers")
async def service_providers(
    quality_service_id: Id, ctx: Ctx, paging: PagingDep, status: OfferStatus | None = None
) -> PageOut[Offer]:
    """One service's providers by status (Cancelled lists withdrawn offers too)."""
    return paged(await views.service_providers(ctx, quality_service_id, status, paging), paging)


@router.post("/offered-services/{quality_service_id}/withdraw")
async def withdraw(quality_service_id: Id, body: EndOffers, ctx: Ctx) -> list[ProviderResult]:
    """Withdraw Offered offers of the service from these providers: a result per provider."""
    return await lifecycle.end_many(
        ctx, quality_service_id, body.provider_organisation_ids, "withdraw", body.reason
    )


@router.post("/offered-services/{quality_service_id}/cancel")
async def cancel(quality_service_id: Id, body: EndOffers, ctx: Ctx) -> list[ProviderResult]:
    """Cancel Approved or Rejected offers of the service for these providers: a result per provider."""
    return await lifecycle.end_many(
        ctx, quality_service_id, body.provider_organisation_ids, "cancel", body.reason
    )


@router.get("/providers/{provider}/offers")
async def provider_offers(
    provider: OdsCode,
    ctx: Ctx,
    paging: PagingDep,
    financial_year: FinancialYear | None = None,
    status: OfferStatus | None = None,
) -> PageOut[Offer]:
    """Every service offered to one provider, by status (the commissioner's drill-down)."""
    return paged(await views.provider_offers(ctx, provider, financial_year, status, paging), paging)


@router.get("/my-services")
async def my_services(
    ctx: Ctx,
    paging: PagingDep,
    provider: OdsCode | None = None,
    financial_year: FinancialYear | None = None,
    status: OfferStatus | None = None,
) -> PageOut[Offer]:
    """My Services: offers to the providers you manage, for a year (the current one by default)."""
    return paged(await views.my_services(ctx, provider, financial_year, status, paging), paging)


@router.get("/offers/{offer_id}")
async def offer_details(offer_id: Id, ctx: Ctx) -> views.OfferDetails:
    """One offer with its service as offered, including QOF domains and indicators."""
    return await views.offer_details(ctx, offer_id)


@router.post("/offers/{offer_id}/accept")
async def accept(offer_id: Id, ctx: Ctx) -> Offer:
    """Accept the offer (Service Management at the provider): it becomes Approved."""
    return await lifecycle.accept(ctx, offer_id)


@router.post("/offers/{offer_id}/reject")
async def reject(offer_id: Id, body: Reason, ctx: Ctx) -> Offer:
    """Reject the offer, optionally saying why; the commissioner is told."""
    return await lifecycle.reject(ctx, offer_id, body.reason)


@router.post("/offers/{offer_id}/reissue")
async def reissue(offer_id: Id, body: OfferDates, ctx: Ctx) -> Offer:
    """Offer a Rejected or Cancelled offer again with new dates (CQRS Local)."""
    return await lifecycle.reissue(ctx, offer_id, body)


@router.post("/service-requests", status_code=status.HTTP_201_CREATED)
async def request_service(body: RequestService, ctx: Ctx) -> ServiceRequest:
    """Ask the commissioner for an offer of a service (Service Management at the provider)."""
    return await requesting.request_service(
        ctx, body.provider_organisation_id, body.quality_service_id, body.note
    )


@router.get("/service-requests")
async def list_requests(
    ctx: Ctx, paging: PagingDep, status: Literal["Requested", "Offered"] | None = None
) -> PageOut[ServiceRequest]:
    """Requests to the commissioners you act for, or from the providers you manage."""
    return paged(await requesting.listing(ctx, status, paging.limit, paging.number), paging)
