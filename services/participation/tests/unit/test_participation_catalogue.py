"""The catalogue: drafts, publishing versions, immutability of what was published, paycodes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cqrs_contracts.events import QualityServicePublished
from cqrs_contracts.events.quality_service import Indicator, IndicatorDomain
from cqrs_participation.domain import catalogue
from cqrs_participation.domain.definition import financial_year_of
from cqrs_participation.domain.errors import NotAllowedInStatus, RuleBroken

from .factories import NOW, definition

DM012 = Indicator(
    indicator_id="DM012",
    description="Diabetes foot examination",
    lower_threshold_percent=50,
    upper_threshold_percent=90,
    maximum_points=4,
    prevalence_adjusted=True,
)


def published() -> catalogue.QualityService:
    """A service published once."""
    service = catalogue.define("qs-1", definition(), actor="user-c", now=NOW)
    state, _ = catalogue.publish(service, actor="user-c", now=NOW)
    return state


def test_new_service_is_a_draft_and_publishing_makes_version_one() -> None:
    service = catalogue.define("qs-1", definition(), actor="user-c", now=NOW)
    assert (service.published_version, service.owner) == (0, "QRV")
    state, (event,) = catalogue.publish(service, actor="user-c", now=NOW)
    assert isinstance(event, QualityServicePublished)
    assert (event.service_version, event.paycode, event.national) == (1, "LCL-CCP", False)
    assert event.components[0].unit_price_pence == 19342
    assert (state.published_version, state.draft) == (1, None)


def test_a_change_publishes_a_new_version_and_leaves_the_old_one() -> None:
    service = catalogue.edit(published(), definition(service_name="Complex Care Plans 2"))
    assert service.current is not None
    assert service.current.service_name == "Complex Care Plans"
    state, (event,) = catalogue.publish(service, actor="user-c", now=NOW)
    assert isinstance(event, QualityServicePublished)
    assert (event.service_version, event.service_name) == (2, "Complex Care Plans 2")
    first = state.version_of(1)
    assert first is not None
    assert first.service_name == "Complex Care Plans"


def test_publishing_without_a_draft_is_refused() -> None:
    with pytest.raises(NotAllowedInStatus, match="no draft to publish"):
        catalogue.publish(published(), actor="user-c", now=NOW)


def test_paycode_cannot_change_once_published() -> None:
    with pytest.raises(RuleBroken, match="paycode") as refused:
        catalogue.edit(published(), definition(paycode="OTHER"))
    assert refused.value.field == "paycode"


def test_paycode_may_change_before_publishing() -> None:
    service = catalogue.define("qs-1", definition(), actor="user-c", now=NOW)
    changed = catalogue.edit(service, definition(paycode="OTHER"))
    assert changed.draft is not None
    assert changed.draft.paycode == "OTHER"


def test_owner_cannot_change() -> None:
    with pytest.raises(RuleBroken) as refused:
        catalogue.edit(published(), definition(commissioner_organisation_id="QMJ"))
    assert refused.value.field == "commissioner_organisation_id"


def test_discarding_needs_a_draft() -> None:
    with pytest.raises(NotAllowedInStatus, match="no draft to discard"):
        catalogue.discard_draft(published())
    assert catalogue.discard_draft(catalogue.edit(published(), definition())).draft is None


def test_national_service_carries_indicators_by_domain() -> None:
    qof = definition(
        payment_type="QOF",
        commissioner_organisation_id="X24",
        components=[],
        domains=[IndicatorDomain(domain="Clinical", indicators=[DM012])],
    )
    _, (event,) = catalogue.publish(catalogue.define("qof", qof, actor="u", now=NOW), actor="u", now=NOW)
    assert isinstance(event, QualityServicePublished)
    assert event.national
    assert event.domains[0].indicators[0].maximum_points == 4


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_date": dt.date(2025, 3, 31)}, "end_date"),
        ({"start_date": dt.date(2026, 4, 1), "end_date": dt.date(2026, 5, 1)}, "start_date"),
        ({"components": []}, "components"),
        ({"domains": [IndicatorDomain(domain="Clinical", indicators=[DM012])]}, "domains"),
        (
            {
                "payment_type": "QOF",
                "domains": [
                    IndicatorDomain(domain="Clinical", indicators=[DM012]),
                    IndicatorDomain(domain="Organisational", indicators=[DM012]),
                ],
            },
            "domains",
        ),
        (
            {
                "claim_windows": [
                    {
                        "window_id": "q0",
                        "window_name": "Q0",
                        "opens_on": "2025-03-01",
                        "closes_on": "2025-04-30",
                    }
                ]
            },
            "claim_windows",
        ),
    ],
)
def test_self_contradicting_service_is_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(RuleBroken) as refused:
        catalogue.define("qs-1", definition(**changes), actor="u", now=NOW)
    assert refused.value.field == field


def test_duplicate_component_ids_are_refused() -> None:
    (component,) = definition().components
    with pytest.raises(RuleBroken, match="component_id 'plan'"):
        catalogue.define("qs", definition(components=[component, component]), actor="u", now=NOW)


@pytest.mark.parametrize(
    ("day", "year"),
    [(dt.date(2025, 3, 31), "2024/25"), (dt.date(2025, 4, 1), "2025/26"), (dt.date(2099, 12, 1), "2099/00")],
)
def test_financial_year_starts_on_the_first_of_april(day: dt.date, year: str) -> None:
    assert financial_year_of(day) == year
