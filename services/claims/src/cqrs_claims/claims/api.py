"""Claims HTTP routes: availability, +New Claim, the panes, building, Delete, Submit, the views."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict

from cqrs_claims.claims import authz, views
from cqrs_claims.claims.domain import building
from cqrs_claims.claims.domain.claim import ClaimStatus
from cqrs_claims.claims.domain.submission import Submit, SubmitRefused
from cqrs_claims.claims.problems import as_problems, submit_refused
from cqrs_claims.claims.service import Claims
from cqrs_claims.claims.wiring import claims_of
from cqrs_contracts.values import FinancialYear, Id, OdsCode
from cqrs_kit import clock
from cqrs_kit.auth import CurrentUser
from cqrs_kit.runtime import Runtime, RuntimeDep

router = APIRouter(tags=["claims"])


def _claims(runtime: Runtime) -> Claims:
    return claims_of(runtime)


class WindowStateView(BaseModel):
    """A service's claim window situation now."""

    quality_service_id: str
    service_name: str
    claim_mode: str
    claimable: bool
    add_individually: bool
    window_id: str | None
    reason: str | None
    next_opens_on: str | None


class Availability(BaseModel):
    """Whether +New Claim is shown, and if not why; each service's windows."""

    available: bool
    reason: str | None
    message: str | None
    next_opens_on: str | None
    services: list[WindowStateView]


@router.get("/claims/availability")
async def availability(
    provider_organisation_id: OdsCode, user: CurrentUser, runtime: RuntimeDep
) -> Availability:
    """Whether the provider has a +New Claim button now; if not, which of the guide's three reasons."""
    answer, states = await _claims(runtime).availability(user, provider_organisation_id)
    return Availability(
        available=answer.available,
        reason=answer.reason.value if answer.reason else None,
        message=answer.message,
        next_opens_on=answer.next_opens_on.isoformat() if answer.next_opens_on else None,
        services=[
            WindowStateView(
                quality_service_id=s.quality_service_id,
                service_name=s.service.service_name,
                claim_mode=s.service.claim_mode,
                claimable=st.claimable,
                add_individually=st.add_individually,
                window_id=st.window.window_id if st.window else None,
                reason=st.reason.value if st.reason else None,
                next_opens_on=st.next_opens_on.isoformat() if st.next_opens_on else None,
            )
            for s, st in states
        ],
    )


@router.post("/claims", status_code=status.HTTP_201_CREATED)
async def new_claim(
    command: building.NewClaim, request: Request, user: CurrentUser, runtime: RuntimeDep
) -> views.ClaimDetail:
    """+New Claim: a Draft claim with its Claim ID (multi-service with a commissioner, or single-service)."""
    claims = _claims(runtime)
    with as_problems():
        claim = await claims.new_claim(user, command, request.state.correlation_id)
    return views.detail(claim, {}, [])


@router.get("/claims")
async def list_claims(  # noqa: PLR0917 - FastAPI reads each query parameter from the signature
    user: CurrentUser,
    runtime: RuntimeDep,
    provider_organisation_id: OdsCode | None = None,
    commissioner_organisation_id: OdsCode | None = None,
    claim_status: Annotated[ClaimStatus | None, Query(alias="status")] = None,
    financial_year: FinancialYear | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> views.Page:
    """A provider's claims (or a commissioner's, in scope), by status and financial year, paged."""
    claims = _claims(runtime)
    query = await authz.listing_scope(
        runtime.directory, user, provider_organisation_id, commissioner_organisation_id
    )
    if claim_status is not None:
        query["status"] = claim_status.value
    if financial_year is not None:
        query["financial_year"] = financial_year
    total, found = await claims.store.page(query, page=page, size=page_size)
    return views.Page(
        items=[views.ClaimSummary.of(c) for c in found], total=total, page=page, page_size=page_size
    )


@router.get("/claims/{claim_id}")
async def claim_detail(claim_id: Id, user: CurrentUser, runtime: RuntimeDep) -> views.ClaimDetail:
    """A claim: lines, totals, attachments and their statuses, answers."""
    claims = _claims(runtime)
    claim = await claims.visible(user, claim_id)
    return views.detail(claim, await claims.services_by_version(claim), await claims.attachments_of(claim))


@router.get("/claims/{claim_id}/history")
async def claim_history(claim_id: Id, user: CurrentUser, runtime: RuntimeDep) -> list[views.HistoryEntry]:
    """Every event of the claim and of its attachments: what happened, who, and when."""
    claims = _claims(runtime)
    claim = await claims.visible(user, claim_id)
    return await claims.history(claim)


@router.get("/claims/{claim_id}/services")
async def services_pane(claim_id: Id, user: CurrentUser, runtime: RuntimeDep) -> list[views.PaneServiceView]:
    """The services pane (name, number of components) and, for selected services, their components."""
    claims = _claims(runtime)
    claim = await claims.prepared(user, claim_id)
    return views.pane(claim, await claims.pane(claim))


class SelectServices(BaseModel):
    """Add All services (no id) or one service into the components pane."""

    model_config = ConfigDict(extra="forbid")
    quality_service_id: Id | None = None


class AddComponents(BaseModel):
    """Add All components (no ids) or Add+ one component of a selected service."""

    model_config = ConfigDict(extra="forbid")
    quality_service_id: Id | None = None
    component_id: Id | None = None


class LineEntries(BaseModel):
    """Units and answers typed on the claim pane."""

    model_config = ConfigDict(extra="forbid")
    lines: list[building.LineEntry]


async def _detail(claims: Claims, claim: Any) -> views.ClaimDetail:
    return views.detail(claim, await claims.services_by_version(claim), await claims.attachments_of(claim))


@router.post("/claims/{claim_id}/services")
async def select_services(
    claim_id: Id, body: SelectServices, request: Request, user: CurrentUser, runtime: RuntimeDep
) -> list[views.PaneServiceView]:
    """Add All (services into the components pane), or one service."""
    claims = _claims(runtime)
    claim = await claims.prepared(user, claim_id)
    with as_problems():
        events = building.select_services(
            claim, await claims.pane(claim), body.quality_service_id, user.user_id, clock.now()
        )
        claim = await claims.change(user, claim, events, request.state.correlation_id)
    return views.pane(claim, await claims.pane(claim))


@router.post("/claims/{claim_id}/components")
async def add_components(
    claim_id: Id, body: AddComponents, request: Request, user: CurrentUser, runtime: RuntimeDep
) -> views.ClaimDetail:
    """Add All (components of the selected services into the claim), or Add+ one component."""
    claims = _claims(runtime)
    claim = await claims.prepared(user, claim_id)
    one = None
    if body.component_id is not None or body.quality_service_id is not None:
        one = (body.quality_service_id or "", body.component_id or "")
    with as_problems():
        events = building.add_components(claim, await claims.pane(claim), one, user.user_id, clock.now())
        claim = await claims.change(user, claim, events, request.state.correlation_id)
    return await _detail(claims, claim)


@router.delete("/claims/{claim_id}/components")
async def remove_all(
    claim_id: Id, request: Request, user: CurrentUser, runtime: RuntimeDep
) -> views.ClaimDetail:
    """Remove All components from the claim."""
    claims = _claims(runtime)
    claim = await claims.prepared(user, claim_id)
    with as_problems():
        events = building.remove_components(claim, None, user.user_id, clock.now())
        claim = await claims.change(user, claim, events, request.state.correlation_id)
    return await _detail(claims, claim)


@router.delete("/claims/{claim_id}/components/{component_id}")
async def remove_one(
    claim_id: Id, component_id: Id, request: Request, user: CurrentUser, runtime: RuntimeDep
) -> views.ClaimDetail:
    """Take one component out of the claim."""
    claims = _claims(runtime)
    claim = await claims.prepared(user, claim_id)
    with as_problems():
        events = building.remove_components(claim, component_id, user.user_id, clock.now())
        claim = await claims.change(user, claim, events, request.state.correlation_id)
    return await _detail(claims, claim)


@router.put("/claims/{claim_id}/lines")
async def enter_details(
    claim_id: Id, body: LineEntries, request: Request, user: CurrentUser, runtime: RuntimeDep
) -> views.ClaimDetail:
    """Save units (whole, 0 or more) and supplementary answers on the claim pane."""
    claims = _claims(runtime)
    claim = await claims.prepared(user, claim_id)
    with as_problems():
        services = await claims.services_by_version(claim)
        events = building.enter_details(claim, body.lines, services, user.user_id, clock.now())
        claim = await claims.change(user, claim, events, request.state.correlation_id)
    return await _detail(claims, claim)


@router.delete("/claims/{claim_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_claim(claim_id: Id, request: Request, user: CurrentUser, runtime: RuntimeDep) -> Response:
    """Delete a Draft: it is gone as if it had never been started (its attachments too)."""
    claims = _claims(runtime)
    claim = await claims.prepared(user, claim_id)
    with as_problems():
        await claims.delete(user, claim, request.state.correlation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/claims/{claim_id}/submit",
    response_model=views.ClaimDetail,
    responses={422: {"description": "every problem, by field"}},
)
async def submit(claim_id: Id, body: Submit, request: Request, user: CurrentUser, runtime: RuntimeDep) -> Any:
    """Submit: validates everything at once. A User (multi-level) sends it to an Approver instead."""
    claims = _claims(runtime)
    claim = await claims.prepared(user, claim_id)
    try:
        with as_problems():
            claim = await claims.submit(user, claim, body, request.state.correlation_id)
    except SubmitRefused as exc:
        return submit_refused(exc, request.url.path)
    return await _detail(claims, claim)


@router.post(
    "/claims/{claim_id}/submit/check",
    response_model=views.ClaimDetail,
    responses={422: {"description": "every problem, by field, as Submit would answer"}},
)
async def check_submit(
    claim_id: Id, body: Submit, request: Request, user: CurrentUser, runtime: RuntimeDep
) -> Any:
    """Check a Submit without submitting (for "Confirm that you wish to submit the claim"): the
    claim as Submit would leave it, or every problem by field. Nothing is stored."""
    claims = _claims(runtime)
    claim = await claims.prepared(user, claim_id)
    try:
        with as_problems():
            claim = await claims.check_submit(user, claim, body)
    except SubmitRefused as exc:
        return submit_refused(exc, request.url.path)
    return await _detail(claims, claim)
