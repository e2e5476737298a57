"""Allocated Reports: a parent lets a descendant run reports on some of its Quality Services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from cqrs_contracts.events import Event
from cqrs_contracts.events.identity import (
    AllocatedService,
    ReportAllocationsRemoved,
    ReportsAllocated,
)
from cqrs_identity.errors import RuleBroken
from cqrs_identity.organisations.tree import OrganisationTree


class Allocation(BaseModel):
    """What one parent organisation allocated to one of its descendants."""

    model_config = ConfigDict(extra="ignore")

    allocation_id: str
    organisation: str
    descendant: str
    services: list[AllocatedService] = Field(default_factory=list)
    version: int = 0


def allocation_id(organisation: str, descendant: str) -> str:
    """One allocation per parent and descendant."""
    return f"{organisation}:{descendant}"


def empty(organisation: str, descendant: str) -> Allocation:
    """An allocation with nothing allocated yet."""
    return Allocation(
        allocation_id=allocation_id(organisation, descendant),
        organisation=organisation,
        descendant=descendant,
    )


def allocate(
    state: Allocation,
    services: Sequence[AllocatedService],
    tree: OrganisationTree,
    actor: str,
    now: dt.datetime,
) -> list[Event]:
    """Allocate Quality Services to the descendant; those already allocated change nothing."""
    if not tree.is_descendant(state.descendant, state.organisation):
        raise RuleBroken(
            f"{state.descendant} is not a descendant of {state.organisation}", field="descendant"
        )
    if not services:
        raise RuleBroken("choose at least one Quality Service", field="services")
    have = {s.quality_service_id for s in state.services}
    new: list[AllocatedService] = []
    for service in services:
        if service.quality_service_id not in have:
            have.add(service.quality_service_id)
            new.append(service)
    if not new:
        return []
    return [
        ReportsAllocated(
            allocation_id=state.allocation_id,
            organisation_ods_code=state.organisation,
            descendant_ods_code=state.descendant,
            services=new,
            allocated=[*state.services, *new],
            allocated_by=actor,
            allocated_at=now,
        )
    ]


def remove(
    state: Allocation, quality_service_ids: Sequence[str], actor: str, now: dt.datetime
) -> list[Event]:
    """Take back report access to some Quality Services (unticking them)."""
    if not quality_service_ids:
        raise RuleBroken("choose at least one Quality Service", field="quality_service_ids")
    have = {s.quality_service_id for s in state.services}
    missing = [q for q in quality_service_ids if q not in have]
    if missing:
        raise RuleBroken(
            f"{', '.join(missing)} is not allocated to {state.descendant}", field="quality_service_ids"
        )
    gone = set(quality_service_ids)
    return [
        ReportAllocationsRemoved(
            allocation_id=state.allocation_id,
            organisation_ods_code=state.organisation,
            descendant_ods_code=state.descendant,
            quality_service_ids=sorted(gone),
            allocated=[s for s in state.services if s.quality_service_id not in gone],
            removed_by=actor,
            removed_at=now,
        )
    ]


def apply(state: Allocation, event: Event) -> Allocation:
    """Fold an allocation event: both carry the whole set now allocated."""
    if isinstance(event, ReportsAllocated | ReportAllocationsRemoved):
        return state.model_copy(update={"services": list(event.allocated)})
    msg = f"{event.name} is not an allocation event"
    raise ValueError(msg)


def matching(
    services: Iterable[AllocatedService],
    *,
    financial_year: str | None = None,
    payment_type: str | None = None,
) -> list[AllocatedService]:
    """Filter allocated services by financial year and payment type, as the screen does."""
    return [
        s
        for s in services
        if (financial_year is None or s.financial_year == financial_year)
        and (payment_type is None or s.payment_type == payment_type)
    ]
