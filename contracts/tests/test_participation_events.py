"""Participation events refuse services and offers that would mislead claims and achievement."""

from typing import Any

import pytest
from pydantic import ValidationError

from cqrs_contracts.events import OfferReissued, QualityServicePublished
from cqrs_contracts.events.quality_service import ClaimWindow, Indicator, ServiceComponent
from cqrs_contracts.examples_participation import example_quality_service, participation_examples

UNIT: dict[str, Any] = {"component_id": "c", "component_name": "C", "kind": "unit_priced"}
RETAINER: dict[str, Any] = {"component_id": "r", "component_name": "R", "kind": "retainer"}


@pytest.mark.parametrize(
    "data",
    [
        UNIT,
        UNIT | {"unit_price_pence": 100, "amount_pence": 5},
        RETAINER | {"amount_pence": 100},
        RETAINER | {"information_note": "Read me"},
        RETAINER | {"amount_pence": 100, "information_note": "Read me", "unit_price_pence": 1},
    ],
)
def test_component_is_priced_by_its_kind(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="component"):
        ServiceComponent.model_validate(data)


def test_components_of_each_kind_are_accepted() -> None:
    assert ServiceComponent.model_validate(UNIT | {"unit_price_pence": 19342}).unit_price_pence == 19342
    retainer = ServiceComponent.model_validate(RETAINER | {"amount_pence": 0, "information_note": "Read"})
    assert retainer.amount_pence == 0


def test_money_is_whole_pence() -> None:
    with pytest.raises(ValidationError, match="unit_price_pence"):
        ServiceComponent.model_validate(UNIT | {"unit_price_pence": 193.42})


def test_window_closes_on_or_after_it_opens() -> None:
    same_day = {"window_id": "w", "window_name": "Q1", "opens_on": "2025-07-01", "closes_on": "2025-07-01"}
    assert ClaimWindow.model_validate(same_day)
    with pytest.raises(ValidationError, match="closes_on"):
        ClaimWindow.model_validate(same_day | {"closes_on": "2025-06-30"})


@pytest.mark.parametrize(("lower", "upper"), [(91, 90), (-1, 90), (40, 101)])
def test_indicator_thresholds_are_ordered_percentages(lower: int, upper: int) -> None:
    data = {
        "indicator_id": "DM012",
        "description": "Foot checks",
        "lower_threshold_percent": lower,
        "upper_threshold_percent": upper,
        "maximum_points": 4,
        "prevalence_adjusted": True,
    }
    with pytest.raises(ValidationError, match="threshold_percent"):
        Indicator.model_validate(data)


def test_service_ends_on_or_after_it_starts() -> None:
    data = example_quality_service().model_dump()
    with pytest.raises(ValidationError, match="start_date"):
        QualityServicePublished.model_validate(data | {"end_date": "2025-03-31"})


def test_service_version_starts_at_one() -> None:
    data = example_quality_service().model_dump()
    with pytest.raises(ValidationError, match="service_version"):
        QualityServicePublished.model_validate(data | {"service_version": 0})


def test_reissued_offer_period_is_ordered() -> None:
    (reissued,) = [e for e in participation_examples() if isinstance(e, OfferReissued)]
    with pytest.raises(ValidationError, match="service_start"):
        OfferReissued.model_validate(reissued.model_dump() | {"service_end": "2025-05-31"})
