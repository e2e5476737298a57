"""What a claim can take right now: the services pane and the components pane of the guide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from cqrs_claims.catalogue.domain import ClaimableService
from cqrs_claims.claims.domain.claim import Claim, taken_key
from cqrs_claims.claims.domain.windows import WindowState, service_window_state


@dataclass(frozen=True)
class PaneService:
    """A service in the services pane: claimable now, in its open window or component by component."""

    claimable: ClaimableService
    state: WindowState

    @property
    def quality_service_id(self) -> str:
        """The service's id."""
        return self.claimable.quality_service_id

    @property
    def window_id(self) -> str | None:
        """The window it is claimed in now (None for services without windows)."""
        return self.state.window.window_id if self.state.window else None


def window_states(
    services: Iterable[ClaimableService], taken: Collection[str], today: dt.date
) -> list[tuple[ClaimableService, WindowState]]:
    """Each service's window state, given the service-window keys other claims have taken."""
    result = []
    for s in services:
        claimed = {
            w.window_id
            for w in s.service.claim_windows
            if taken_key(s.quality_service_id, w.window_id) in taken
        }
        result.append((s, service_window_state(s.service.claim_windows, claimed, today)))
    return result


def fits_claim(claim: Claim, service: ClaimableService) -> bool:
    """Whether a service belongs in this claim: its commissioner, and single or multi as set."""
    if service.provider_organisation_id != claim.provider_organisation_id:
        return False
    if service.service.commissioner_organisation_id != claim.commissioner_organisation_id:
        return False
    if claim.claim_mode == "single":
        return service.quality_service_id == claim.quality_service_id
    return service.service.claim_mode == "multi" and service.service.financial_year == claim.financial_year


def services_pane(
    claim: Claim, services: Iterable[ClaimableService], taken_elsewhere: Collection[str], today: dt.date
) -> list[PaneService]:
    """The services this claim may take now: fitting the claim, and claimable (or already in it)."""
    in_claim = {line.quality_service_id for line in claim.lines}
    pane = []
    for service, state in window_states(
        [s for s in services if fits_claim(claim, s)], taken_elsewhere, today
    ):
        if state.claimable or service.quality_service_id in in_claim:
            pane.append(PaneService(service, state))
    return sorted(pane, key=lambda p: p.claimable.service.service_name)
