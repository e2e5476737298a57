"""Valid domain objects for participation's pure tests, each one field away from a broken one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cqrs_contracts.events.quality_service import ServiceComponent
from cqrs_participation.domain.definition import ServiceDefinition
from cqrs_participation.domain.offers import Offer, OfferStatus

NOW = dt.datetime(2025, 5, 1, 9, 30, tzinfo=dt.UTC)
TODAY = NOW.date()
START = dt.date(2025, 4, 1)
END = dt.date(2026, 3, 31)


def definition(**changes: Any) -> ServiceDefinition:
    """Complex Care Plans for North West London, 2025/26, at £193.42 a plan."""
    values: dict[str, Any] = {
        "commissioner_organisation_id": "QRV",
        "financial_year": "2025/26",
        "payment_type": "Local",
        "service_name": "Complex Care Plans",
        "start_date": START,
        "end_date": END,
        "paycode": "LCL-CCP",
        "components": [
            ServiceComponent(
                component_id="plan", component_name="Plan", kind="unit_priced", unit_price_pence=19342
            )
        ],
    }
    values.update(changes)
    return ServiceDefinition.model_validate(values)


def offer(status: OfferStatus = OfferStatus.OFFERED, **changes: Any) -> Offer:
    """An offer of Complex Care Plans to Abbey Road Surgery in the given status."""
    values: dict[str, Any] = {
        "offer_id": "offer-1",
        "status": status,
        "quality_service_id": "qs-1",
        "quality_service_version": 1,
        "service_name": "Complex Care Plans",
        "commissioner_organisation_id": "QRV",
        "provider_organisation_id": "E85001",
        "financial_year": "2025/26",
        "payment_type": "Local",
        "service_start": START,
        "service_end": END,
        "response_date": dt.date(2025, 5, 31),
        "offered_at": NOW,
        "offered_by": "user-c",
    }
    values.update(changes)
    return Offer.model_validate(values)
