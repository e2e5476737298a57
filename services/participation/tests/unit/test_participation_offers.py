"""Offer decisions, pure: a valid command gives OfferMade and an Offered offer."""

import datetime as dt

import pytest
from pydantic import ValidationError

from cqrs_participation.domain.offers import MakeOffer, OfferRuleBroken, OfferStatus, apply, make_offer

NOW = dt.datetime(2025, 4, 2, 9, 30, tzinfo=dt.UTC)


def command(**changes: object) -> MakeOffer:
    values: dict[str, object] = {
        "quality_service_id": "QS1",
        "commissioner_organisation_id": "QWE",
        "provider_organisation_id": "A81001",
        "financial_year": "2025/26",
        "payment_type": "Local",
        "service_start": "2025-04-01",
        "service_end": "2026-03-31",
        "response_date": "2025-05-01",
    }
    values.update(changes)
    return MakeOffer.model_validate(values)


def test_offer_is_made_and_offered() -> None:
    (event,) = make_offer("O1", command(), NOW)
    assert (event.offer_id, event.provider_organisation_id, event.offered_at) == ("O1", "A81001", NOW)
    assert apply(None, event).status is OfferStatus.OFFERED


def test_commissioner_cannot_offer_to_itself() -> None:
    with pytest.raises(OfferRuleBroken, match="cannot offer a service to itself"):
        make_offer("O1", command(provider_organisation_id="QWE"), NOW)


def test_service_must_end_after_it_starts() -> None:
    with pytest.raises(ValidationError, match="service_end must be on or after service_start"):
        command(service_start="2026-04-01")
