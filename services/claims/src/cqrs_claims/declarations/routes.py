"""HTTP routes of declarations: the Declaration Management list, one declaration, its breakdown,
declare, approve, finance approve, and approving several at once (Select All)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, model_validator

from cqrs_claims.achievement.domain.calculation import calculate_practice
from cqrs_claims.achievement.views import Breakdown, breakdown
from cqrs_claims.declarations.domain.model import Declaration, Status
from cqrs_claims.declarations.keys import Key, KeyPath, KeyQuery
from cqrs_claims.declarations.service import Approve, Declarations, Declare, FinanceApprove, Outcome
from cqrs_kit.auth import CurrentUser
from cqrs_kit.errors import NotFound
from cqrs_kit.runtime import RuntimeDep

router = APIRouter(prefix="/declarations", tags=["declarations"])
SELECT_ALL_LIMIT = 1000


class DeclarationPage(BaseModel):
    """A page of declarations and how many match in all."""

    items: list[Declaration]
    total: int
    offset: int
    limit: int


class BulkApproval(BaseModel):
    """Approve the ticked declarations, or every one matching the filters (Select All)."""

    declaration_ids: list[Key] = Field(default_factory=list, max_length=SELECT_ALL_LIMIT)
    select_all: bool = False
    status: Status | None = None
    quality_service_id: Key | None = None

    @model_validator(mode="after")
    def _something_chosen(self) -> BulkApproval:
        """Refuse a request that names no declaration and does not select all."""
        if not self.select_all and not self.declaration_ids:
            msg = "tick at least one declaration, or select all"
            raise ValueError(msg)
        return self


class BulkResult(BaseModel):
    """One result per declaration, and the counts."""

    approved: int
    refused: int
    results: list[Outcome]


@router.get("")
async def list_declarations(
    *,
    user: CurrentUser,
    runtime: RuntimeDep,
    status: Status | None = None,
    quality_service_id: KeyQuery = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeclarationPage:
    """Declarations you may see, filtered by status and Quality Service, a page at a time."""
    items, total = await Declarations(runtime).search(
        user, status=status, quality_service_id=quality_service_id, offset=offset, limit=limit
    )
    return DeclarationPage(items=items, total=total, offset=offset, limit=limit)


@router.post("/approve")
async def approve_declarations(
    body: BulkApproval, user: CurrentUser, runtime: RuntimeDep, request: Request
) -> BulkResult:
    """Approve one, several or all (Select All) declarations, each at its next approval step:
    Approval Management approves those awaiting the commissioning organisation, Finance Management
    those awaiting finance approval. Each gets its own result; one refusal stops no other."""
    declarations = Declarations(runtime)
    keys = list(body.declaration_ids)
    if body.select_all:
        page, _ = await declarations.search(
            user,
            status=body.status,
            quality_service_id=body.quality_service_id,
            offset=0,
            limit=SELECT_ALL_LIMIT,
        )
        keys += [
            d.declaration_id
            for d in page
            if d.status in (Status.AWAITING_COMMISSIONER, Status.AWAITING_FINANCE)
        ]
    results = await declarations.approve_many(user, keys, request.state.correlation_id)
    approved = sum(r.result == "approved" for r in results)
    return BulkResult(approved=approved, refused=len(results) - approved, results=results)


@router.get("/{declaration_id}")
async def get_declaration(declaration_id: KeyPath, user: CurrentUser, runtime: RuntimeDep) -> Declaration:
    """One declaration."""
    return await Declarations(runtime).get(user, declaration_id)


@router.get("/{declaration_id}/breakdown")
async def declaration_breakdown(declaration_id: KeyPath, user: CurrentUser, runtime: RuntimeDep) -> Breakdown:
    """Step by step, the figures behind the declaration's payment: each practice, each indicator."""
    declarations = Declarations(runtime)
    state = await declarations.get(user, declaration_id)
    achievement = declarations.achievement
    rules = await achievement.rules(state.quality_service_id)
    if rules is None:
        raise NotFound(f"{state.quality_service_id} has no payment rules now", field="quality_service_id")
    practices = []
    for extraction_id in state.figures.extraction_ids:
        extraction = await achievement.store.extraction(extraction_id)
        if extraction is not None:
            practices.append(
                calculate_practice(
                    rules, extraction.practice_ods_code, extraction.list_size, extraction.indicators
                )
            )
    return breakdown(
        state.provider_organisation_id, state.quality_service_id, state.figures.achievement_date, practices
    )


@router.post("/{declaration_id}/declare")
async def declare(
    declaration_id: KeyPath, user: CurrentUser, runtime: RuntimeDep, request: Request
) -> Declaration:
    """The provider's Declaration Management user (for a PCN, a nominated person) declares."""
    return await Declarations(runtime).act(
        user, declaration_id, Declare(user.user_id), request.state.correlation_id
    )


@router.post("/{declaration_id}/approve")
async def approve(
    declaration_id: KeyPath, user: CurrentUser, runtime: RuntimeDep, request: Request
) -> Declaration:
    """The commissioning organisation's Approval Management user approves."""
    return await Declarations(runtime).act(
        user, declaration_id, Approve(user.user_id), request.state.correlation_id
    )


@router.post("/{declaration_id}/finance-approve")
async def finance_approve(
    declaration_id: KeyPath, user: CurrentUser, runtime: RuntimeDep, request: Request
) -> Declaration:
    """Finance Management approves: the declaration is approved for payment (DeclarationApproved)."""
    return await Declarations(runtime).act(
        user, declaration_id, FinanceApprove(user.user_id), request.state.correlation_id
    )
