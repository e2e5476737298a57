"""The five-step offer, driven step by step by a frontend, the draft saved between steps."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from cqrs_contracts.values import Id, OdsCode
from cqrs_participation import offering
from cqrs_participation.api_common import Ctx, PageOut, PagingDep, paged
from cqrs_participation.domain.dates import OfferDates
from cqrs_participation.domain.drafts import MAX_PROVIDERS, OfferDraft
from cqrs_participation.store import Page

router = APIRouter(tags=["offer drafts"])


class StartOffer(BaseModel):
    """Step 1: the commissioning organisation and the service it offers."""

    model_config = ConfigDict(extra="forbid")

    commissioner_organisation_id: OdsCode
    quality_service_id: Id
    request_id: Id | None = None


class ChooseService(BaseModel):
    """Step 1 again: another service."""

    model_config = ConfigDict(extra="forbid")

    quality_service_id: Id


class ChooseProviders(BaseModel):
    """Step 3: the providers, or every provider you may offer to."""

    model_config = ConfigDict(extra="forbid")

    provider_organisation_ids: list[OdsCode] = Field(default_factory=list, max_length=MAX_PROVIDERS)
    select_all: bool = False


class Candidate(BaseModel):
    """A provider you may offer to, and whether the draft has it selected."""

    ods_code: str
    name: str
    selected: bool


class Confirmation(BaseModel):
    """Step 5's outcome: the offers made, and the providers refused with why."""

    draft: OfferDraft
    offers_made: int
    refused: dict[str, str]


@router.post("/offer-drafts", status_code=status.HTTP_201_CREATED)
async def start_offer(body: StartOffer, ctx: Ctx) -> OfferDraft:
    """Step 1: start an offer of a published service available to your organisation."""
    return await offering.start(
        ctx, body.commissioner_organisation_id, body.quality_service_id, body.request_id
    )


@router.get("/offer-drafts/{draft_id}")
async def get_draft(draft_id: Id, ctx: Ctx) -> OfferDraft:
    """The draft as saved after its last step."""
    return await offering._draft(ctx, draft_id)


@router.put("/offer-drafts/{draft_id}/service")
async def choose_service(draft_id: Id, body: ChooseService, ctx: Ctx) -> OfferDraft:
    """Step 1 again: choose another service (the dates start over)."""
    return await offering.select_service(ctx, draft_id, body.quality_service_id)


@router.get("/offer-drafts/{draft_id}/details")
async def get_details(draft_id: Id, ctx: Ctx) -> OfferDates:
    """Step 2's values: the draft's dates, or the service's own period."""
    return await offering.suggested_dates(ctx, draft_id)


@router.put("/offer-drafts/{draft_id}/details")
async def set_details(draft_id: Id, body: OfferDates, ctx: Ctx) -> OfferDraft:
    """Step 2: service start, end, response and target dates (within the service's dates)."""
    return await offering.set_details(ctx, draft_id, body)


@router.get("/offer-drafts/{draft_id}/providers")
async def list_candidates(draft_id: Id, ctx: Ctx, paging: PagingDep) -> PageOut[Candidate]:
    """Step 3's choices: providers you may offer to, searchable by code or name."""
    draft = await offering._draft(ctx, draft_id)
    chosen = set(draft.providers)
    needle = (paging.search or "").strip().lower()
    items = [
        Candidate(ods_code=code, name=name, selected=code in chosen)
        for code, name in (await offering.candidates(ctx, draft_id)).items()
        if not needle or needle in code.lower() or needle in name.lower()
    ]
    start = (paging.number - 1) * paging.limit
    return paged(Page(items[start : start + paging.limit], len(items)), paging)


@router.put("/offer-drafts/{draft_id}/providers")
async def choose_providers(draft_id: Id, body: ChooseProviders, ctx: Ctx) -> OfferDraft:
    """Step 3: the providers to offer to (``select_all`` takes every one you may)."""
    return await offering.set_providers(
        ctx, draft_id, body.provider_organisation_ids, select_all=body.select_all
    )


@router.post("/offer-drafts/{draft_id}/submit")
async def submit(draft_id: Id, ctx: Ctx) -> OfferDraft:
    """Step 4: you reviewed the offer; submit it for confirmation."""
    return await offering.submit(ctx, draft_id)


@router.post("/offer-drafts/{draft_id}/confirm")
async def confirm(draft_id: Id, ctx: Ctx) -> Confirmation:
    """Step 5: yes, make the offer: one OfferMade per provider."""
    draft, refusals = await offering.confirm(ctx, draft_id)
    return Confirmation(draft=draft, offers_made=len(draft.offer_ids), refused=refusals)
