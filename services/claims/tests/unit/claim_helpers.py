"""Shared test data for the claims domain tests: the guide's services, open today."""

from __future__ import annotations

import datetime as dt

from cqrs_claims.catalogue.domain import ClaimableService
from cqrs_claims.claims.domain import building
from cqrs_claims.claims.domain.claim import Claim, fold
from cqrs_claims.claims.domain.pane import PaneService, services_pane
from cqrs_claims.testing import approved, complex_care, depot, ear_irrigation, quarter

NOW = dt.datetime(2025, 7, 10, 9, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
USER = "user-1"


def guide_services() -> list[ClaimableService]:
    q1 = [quarter(TODAY)]
    return [approved(complex_care(q1)), approved(ear_irrigation(q1)), approved(depot(q1))]


def by_version(services: list[ClaimableService]) -> dict[tuple[str, int], ClaimableService]:
    return {(s.quality_service_id, s.service.service_version): s for s in services}


def new_claim(services: list[ClaimableService], **command: str) -> Claim:
    values = {"provider_organisation_id": "A81001", **command}
    events = building.draft("35929", building.NewClaim(**values), services, set(), TODAY, actor=USER, now=NOW)
    return fold(None, events)


def pane(claim: Claim, services: list[ClaimableService]) -> list[PaneService]:
    return services_pane(claim, services, set(), TODAY)


def with_everything(services: list[ClaimableService]) -> Claim:
    """A multi-service claim after Add All (services) and Add All (components)."""
    claim = new_claim(services, commissioner_organisation_id="QWE")
    claim = fold(claim, building.select_services(claim, pane(claim, services), None, USER, NOW))
    return fold(claim, building.add_components(claim, pane(claim, services), None, USER, NOW))
