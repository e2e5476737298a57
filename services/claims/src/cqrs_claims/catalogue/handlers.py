"""Participation's events kept as the catalogue (thin: translate and store)."""

from __future__ import annotations

from cqrs_claims.catalogue.domain import ServiceVersion
from cqrs_claims.catalogue.store import CatalogueStore, stamp
from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events import (
    OfferAccepted,
    OfferCancelled,
    OfferMade,
    OfferReissued,
    OfferRejected,
    OfferWithdrawn,
    QualityServicePublished,
)
from cqrs_kit.runtime import Runtime


def subscribe(runtime: Runtime, store: CatalogueStore) -> None:
    """The catalogue's subscriptions, listed in one place."""

    @runtime.consumer.on(QualityServicePublished)  # achievement keeps it too: both handlers run
    async def service_published(event: QualityServicePublished, envelope: Envelope) -> None:
        """A service version (components, evidence, questions, windows, claim mode) can be claimed."""
        await store.record_version(ServiceVersion.model_validate(event.model_dump()))

    @runtime.consumer.on(OfferMade)
    async def offer_made(event: OfferMade, envelope: Envelope) -> None:
        """An offer exists; nothing is claimable until it is accepted."""
        await store.record_offer(
            event.offer_id,
            stamp(event.offered_at, 0, envelope.id),
            {
                "status": "Offered",
                "quality_service_id": event.quality_service_id,
                "quality_service_version": event.quality_service_version,
                "provider_organisation_id": event.provider_organisation_id,
                "commissioner_organisation_id": event.commissioner_organisation_id,
                "financial_year": event.financial_year,
            },
        )

    @runtime.consumer.on(OfferReissued)
    async def offer_reissued(event: OfferReissued, envelope: Envelope) -> None:
        """Offered again, perhaps for a newer version of the service."""
        await store.record_offer(
            event.offer_id,
            stamp(event.reissued_at, 3, envelope.id),
            {
                "status": "Offered",
                "quality_service_id": event.quality_service_id,
                "quality_service_version": event.quality_service_version,
                "provider_organisation_id": event.provider_organisation_id,
                "commissioner_organisation_id": event.commissioner_organisation_id,
                "financial_year": event.financial_year,
            },
        )

    @runtime.consumer.on(OfferAccepted)
    async def offer_accepted(event: OfferAccepted, envelope: Envelope) -> None:
        """Approved: the provider may claim for the service from now on."""
        await _status(store, event, stamp(event.accepted_at, 1, envelope.id), "Approved")

    @runtime.consumer.on(OfferRejected)
    async def offer_rejected(event: OfferRejected, envelope: Envelope) -> None:
        """Rejected: nothing to claim."""
        await _status(store, event, stamp(event.rejected_at, 1, envelope.id), "Rejected")

    @runtime.consumer.on(OfferWithdrawn)
    async def offer_withdrawn(event: OfferWithdrawn, envelope: Envelope) -> None:
        """Withdrawn before an answer: nothing to claim."""
        await _status(store, event, stamp(event.withdrawn_at, 1, envelope.id), "Cancelled")

    @runtime.consumer.on(OfferCancelled)
    async def offer_cancelled(event: OfferCancelled, envelope: Envelope) -> None:
        """Cancelled: the service can no longer be claimed."""
        await _status(store, event, stamp(event.cancelled_at, 2, envelope.id), "Cancelled")


async def _status(
    store: CatalogueStore,
    event: OfferAccepted | OfferRejected | OfferWithdrawn | OfferCancelled,
    when: str,
    status: str,
) -> None:
    await store.record_offer(
        event.offer_id,
        when,
        {
            "status": status,
            "quality_service_id": event.quality_service_id,
            "provider_organisation_id": event.provider_organisation_id,
            "commissioner_organisation_id": event.commissioner_organisation_id,
            "financial_year": event.financial_year,
        },
    )
