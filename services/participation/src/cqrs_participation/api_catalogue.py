"""Catalogue routes: define, read, edit, discard and publish Quality Services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict

from cqrs_contracts.values import FinancialYear, Id
from cqrs_kit.errors import NotFound
from cqrs_participation import catalogue_service
from cqrs_participation.api_common import Ctx, PageOut, PagingDep, paged
from cqrs_participation.domain.catalogue import QualityService
from cqrs_participation.domain.definition import ServiceDefinition

router = APIRouter(tags=["quality services"])


class NewService(ServiceDefinition):
    """A new service's first draft, optionally customising a service available to you."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    based_on: Id | None = None


@router.post("/quality-services", status_code=status.HTTP_201_CREATED)
async def define_service(body: NewService, ctx: Ctx) -> QualityService:
    """Define a service as a draft (Commissioning Management at its commissioner)."""
    definition = ServiceDefinition.model_validate(body.model_dump(exclude={"based_on"}))
    return await catalogue_service.define(ctx, definition, body.based_on)


@router.get("/quality-services")
async def list_services(
    ctx: Ctx,
    paging: PagingDep,
    financial_year: FinancialYear | None = None,
    payment_type: Annotated[str | None, Query(max_length=100)] = None,
    published: bool = False,
) -> PageOut[QualityService]:
    """Services available to you: your organisations' and those above them (national ones)."""
    found = await catalogue_service.listing(
        ctx,
        financial_year=financial_year,
        payment_type=payment_type,
        published_only=published,
        search=paging.search,
        limit=paging.limit,
        number=paging.number,
    )
    return paged(found, paging)


@router.get("/quality-services/{quality_service_id}")
async def get_service(quality_service_id: Id, ctx: Ctx) -> QualityService:
    """One service: its published versions and its draft."""
    service = await catalogue_service.visible(ctx, quality_service_id)
    if service is None:
        raise NotFound(f"no quality service {quality_service_id}")
    return service


@router.get("/quality-services/{quality_service_id}/versions/{number}")
async def get_version(
    quality_service_id: Id, number: Annotated[int, Path(ge=1, le=10_000)], ctx: Ctx
) -> ServiceDefinition:
    """One published version, exactly as it was published."""
    service = await catalogue_service.visible(ctx, quality_service_id)
    definition = service.version_of(number) if service else None
    if definition is None:
        raise NotFound(f"no version {number} of quality service {quality_service_id}")
    return definition


@router.put("/quality-services/{quality_service_id}/draft")
async def edit_service(quality_service_id: Id, body: ServiceDefinition, ctx: Ctx) -> QualityService:
    """Replace the draft; on a published service this drafts the next version (paycode fixed)."""
    return await catalogue_service.edit(ctx, quality_service_id, body)


@router.delete("/quality-services/{quality_service_id}/draft")
async def discard_draft(quality_service_id: Id, ctx: Ctx) -> QualityService:
    """Throw the draft away; published versions never change."""
    return await catalogue_service.discard(ctx, quality_service_id)


class Published(BaseModel):
    """The version just published."""

    quality_service_id: str
    service_version: int


@router.post("/quality-services/{quality_service_id}/publish")
async def publish_service(quality_service_id: Id, ctx: Ctx) -> Published:
    """Publish the draft as the next version (QualityServicePublished)."""
    state = await catalogue_service.publish(ctx, quality_service_id)
    return Published(quality_service_id=state.quality_service_id, service_version=state.published_version)
