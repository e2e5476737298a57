"""The five-step offer a commissioner builds, saved between steps, and its confirmation.

1 select the service -> 2 details (dates) -> 3 providers -> 4 review (submit) -> 5 confirm.
A step may be done again; changing the service clears the dates, and any change after review
needs a new review. Confirming makes one ``OfferMade`` per provider. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
from enum import IntEnum

from pydantic import BaseModel, Field

from cqrs_contracts.events import OfferMade
from cqrs_participation.domain.dates import OfferDates, check_offer_dates
from cqrs_participation.domain.definition import ServiceDefinition
from cqrs_participation.domain.errors import NotAllowedInStatus, RuleBroken
from cqrs_participation.domain.offers import Offer, OfferStatus

MAX_PROVIDERS = 10_000
"""More than every practice and PCN in England, so one draft can offer to all of them."""


class Step(IntEnum):
    """The last step a draft completed."""

    STARTED = 0
    SERVICE = 1
    DETAILS = 2
    PROVIDERS = 3
    REVIEWED = 4
    CONFIRMED = 5


class OfferDraft(BaseModel):
    """A commissioner's offer in progress."""

    draft_id: str
    version: int = 0
    commissioner_organisation_id: str
    created_by: str
    created_at: dt.datetime
    step: Step = Step.STARTED
    quality_service_id: str | None = None
    quality_service_version: int | None = None
    service_name: str | None = None
    payment_type: str | None = None
    financial_year: str | None = None
    dates: OfferDates | None = None
    providers: list[str] = Field(default_factory=list)
    request_id: str | None = None
    offer_ids: list[str] = Field(default_factory=list)
    confirmed_at: dt.datetime | None = None


def _open(draft: OfferDraft) -> None:
    if draft.step is Step.CONFIRMED:
        msg = "this offer has been confirmed; start a new offer to offer the service again"
        raise NotAllowedInStatus(msg)


def _needs(draft: OfferDraft, step: Step, field: str) -> None:
    if draft.step < step:
        msg = f"complete step {int(step)} ({step.name.lower()}) first"
        raise RuleBroken(msg, field=field)


def start(draft_id: str, commissioner: str, *, actor: str, now: dt.datetime) -> OfferDraft:
    """Open a new draft for a commissioning organisation."""
    return OfferDraft(
        draft_id=draft_id, commissioner_organisation_id=commissioner, created_by=actor, created_at=now
    )


def select_service(
    draft: OfferDraft, quality_service_id: str, version: int, service: ServiceDefinition
) -> OfferDraft:
    """Step 1: choose the (published) service; a different service clears the chosen dates."""
    _open(draft)
    same = draft.quality_service_id == quality_service_id
    return draft.model_copy(
        update={
            "quality_service_id": quality_service_id,
            "quality_service_version": version,
            "service_name": service.service_name,
            "payment_type": service.payment_type,
            "financial_year": service.financial_year,
            "dates": draft.dates if same else None,
            "step": max(Step.SERVICE, draft.step) if same and draft.dates else Step.SERVICE,
        }
    )


def set_details(
    draft: OfferDraft, dates: OfferDates, service: ServiceDefinition, *, today: dt.date
) -> OfferDraft:
    """Step 2: the offer's dates, within the original service's dates and in order."""
    _open(draft)
    _needs(draft, Step.SERVICE, "quality_service_id")
    check_offer_dates(dates, service, today=today)
    step = Step.PROVIDERS if draft.providers else Step.DETAILS
    return draft.model_copy(update={"dates": dates, "step": step})


def set_providers(draft: OfferDraft, providers: list[str], allowed: set[str]) -> OfferDraft:
    """Step 3: the providers offered to, each one the user may offer to (duplicates ignored)."""
    _open(draft)
    _needs(draft, Step.DETAILS, "service_start")
    chosen = list(dict.fromkeys(providers))
    if not chosen:
        raise RuleBroken("choose at least one service provider", field="provider_organisation_ids")
    if len(chosen) > MAX_PROVIDERS:
        msg = f"at most {MAX_PROVIDERS} providers can be offered to at once"
        raise RuleBroken(msg, field="provider_organisation_ids")
    for index, provider in enumerate(chosen):
        if provider not in allowed:
            msg = f"{provider} is not a service provider you may offer services to"
            raise RuleBroken(msg, field=f"provider_organisation_ids.{index}")
    return draft.model_copy(update={"providers": chosen, "step": Step.PROVIDERS})


def submit(draft: OfferDraft, service: ServiceDefinition, *, today: dt.date) -> OfferDraft:
    """Step 4: the commissioner has reviewed the offer and submits it for confirmation."""
    _open(draft)
    _needs(draft, Step.PROVIDERS, "provider_organisation_ids")
    assert draft.dates is not None  # step 2 done
    check_offer_dates(draft.dates, service, today=today)
    return draft.model_copy(update={"step": Step.REVIEWED})


def confirm(
    draft: OfferDraft,
    offer_ids: dict[str, str],
    service: ServiceDefinition,
    names: dict[str, str],
    *,
    actor: str,
    now: dt.datetime,
) -> tuple[OfferDraft, list[tuple[Offer, OfferMade]]]:
    """Step 5: make one offer (and one ``OfferMade``) per provider given an offer id.

    Providers without an id (another live offer of the service got there first) are left out.
    """
    _open(draft)
    _needs(draft, Step.REVIEWED, "step")
    assert draft.dates is not None
    assert draft.quality_service_id is not None
    assert draft.quality_service_version is not None
    check_offer_dates(draft.dates, service, today=now.date())
    made: list[tuple[Offer, OfferMade]] = []
    for provider in [p for p in draft.providers if p in offer_ids]:
        event = OfferMade(
            offer_id=offer_ids[provider],
            quality_service_id=draft.quality_service_id,
            quality_service_version=draft.quality_service_version,
            commissioner_organisation_id=draft.commissioner_organisation_id,
            provider_organisation_id=provider,
            financial_year=service.financial_year,
            payment_type=service.payment_type,
            offered_at=now,
            offered_by=actor,
            request_id=draft.request_id,
            **draft.dates.model_dump(),
        )
        offer = Offer(
            offer_id=event.offer_id,
            status=OfferStatus.OFFERED,
            quality_service_id=event.quality_service_id,
            quality_service_version=draft.quality_service_version,
            service_name=service.service_name,
            commissioner_organisation_id=draft.commissioner_organisation_id,
            provider_organisation_id=provider,
            provider_name=names.get(provider, ""),
            financial_year=service.financial_year,
            payment_type=service.payment_type,
            offered_at=now,
            offered_by=actor,
            draft_id=draft.draft_id,
            request_id=draft.request_id,
            **draft.dates.model_dump(),
        )
        made.append((offer, event))
    confirmed = draft.model_copy(
        update={"step": Step.CONFIRMED, "offer_ids": [o.offer_id for o, _ in made], "confirmed_at": now}
    )
    return confirmed, made
