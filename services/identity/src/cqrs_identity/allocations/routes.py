"""Allocated Reports routes (Organisation Administrators)."""

from __future__ import annotations

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from cqrs_contracts.events.identity import AllocatedService
from cqrs_contracts.values import FinancialYear, Id, OdsCode
from cqrs_identity.access import CallerDep
from cqrs_identity.allocations import service as service_allocations
from cqrs_identity.allocations.allocation import Allocation
from cqrs_identity.api_common import context
from cqrs_identity.routing import router as make_router
from cqrs_kit.runtime import RuntimeDep

router = make_router("allocated reports")


class AllocationBody(BaseModel):
    """Quality Services a parent lets one descendant report on."""

    model_config = ConfigDict(extra="forbid")

    organisation: OdsCode
    descendant: OdsCode
    services: list[AllocatedService] = Field(min_length=1, max_length=1000)


class RemovalBody(BaseModel):
    """Quality Services to stop allocating to one descendant."""

    model_config = ConfigDict(extra="forbid")

    organisation: OdsCode
    descendant: OdsCode
    quality_service_ids: list[Id] = Field(min_length=1, max_length=1000)


@router.get("/allocated-reports")
async def allocated_reports(
    organisation: OdsCode,
    request: Request,
    runtime: RuntimeDep,
    caller: CallerDep,
    *,
    descendant: OdsCode | None = None,
    financial_year: FinancialYear | None = None,
    payment_type: str | None = None,
) -> list[Allocation]:
    """What an organisation allocated to its descendants, by financial year and payment type."""
    return await service_allocations.list_allocations(
        context(request, runtime, caller),
        caller,
        organisation,
        descendant=descendant,
        financial_year=financial_year,
        payment_type=payment_type,
    )


@router.post("/allocated-reports")
async def allocate(
    body: AllocationBody, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> Allocation:
    """Let a descendant organisation run reports on some of your Quality Services."""
    return await service_allocations.allocate(
        context(request, runtime, caller), caller, body.organisation, body.descendant, body.services
    )


@router.post("/allocated-reports/remove")
async def unallocate(
    body: RemovalBody, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> Allocation:
    """Stop allocating some Quality Services' reports to a descendant organisation."""
    return await service_allocations.unallocate(
        context(request, runtime, caller),
        caller,
        body.organisation,
        body.descendant,
        body.quality_service_ids,
    )
