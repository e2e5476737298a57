"""Routes that bring people in: registration, Pending Actions, approval, rejection, completion,
invitations and access requests."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from cqrs_contracts.values import OdsCode
from cqrs_identity.access import CallerDep
from cqrs_identity.api_common import Email, PersonName, Reason, Secret, client_address, context
from cqrs_identity.onboarding import service as service_accounts
from cqrs_identity.onboarding.pending import PendingAction, PendingFilter, pending_actions
from cqrs_identity.routing import router as make_router
from cqrs_identity.users.accounts import RequestKind, RequestStatus
from cqrs_identity.users.roles import Role, RoleAssignment
from cqrs_identity.users.service import UserView, view
from cqrs_kit.paging import Page, PageDep, paginate
from cqrs_kit.runtime import RuntimeDep

router = make_router("accounts")


class Registration(BaseModel):
    """A person asking for an account at an organisation."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    first_name: PersonName
    last_name: PersonName
    organisation: OdsCode
    role: Role | None = None


class Approval(BaseModel):
    """Roles to grant on approval (default: the role asked for)."""

    model_config = ConfigDict(extra="forbid")

    roles: list[RoleAssignment] | None = Field(default=None, max_length=30)


class Rejection(BaseModel):
    """Why a request was rejected; the person is emailed it."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason


class Completion(BaseModel):
    """The token from the emailed link, and the password the person chose."""

    model_config = ConfigDict(extra="forbid")

    token: Secret
    password: Secret


class Invitation(BaseModel):
    """Who to invite, where, and with which role."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    first_name: PersonName
    last_name: PersonName
    organisation: OdsCode
    role: Role
    payment_types: list[str] = Field(default_factory=list, max_length=20)


class AccessRequestBody(BaseModel):
    """The organisation (and optionally role) an existing user asks for."""

    model_config = ConfigDict(extra="forbid")

    organisation: OdsCode
    role: Role | None = None


class Received(BaseModel):
    """A request was taken; what happens next, in words."""

    message: str


@router.post("/registrations", status_code=status.HTTP_202_ACCEPTED)
async def register(body: Registration, request: Request, runtime: RuntimeDep) -> Received:
    """Register for an account at an organisation. The answer is the same whether or not the
    address already has an account. Refused outright only when the address is a shared mailbox
    AND the name identifies nobody; either alone is flagged for the administrator to decide.
    Throttled per client address (429 with Retry-After)."""
    await service_accounts.register(
        context(request, runtime),
        email=body.email,
        first_name=body.first_name,
        last_name=body.last_name,
        organisation=body.organisation,
        role=body.role,
        address=client_address(request),
    )
    return Received(message=service_accounts.REGISTRATION_ANSWER)


@router.get("/pending-actions")
async def list_pending_actions(
    request: Request,
    runtime: RuntimeDep,
    caller: CallerDep,
    page: PageDep,
    *,
    sort: Literal["date", "status"] = "date",
    order: Literal["asc", "desc"] = "desc",
    status_filter: Annotated[RequestStatus | None, Query(alias="status")] = None,
    kind: RequestKind | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    q: Annotated[str | None, Query(max_length=100, description="search of name and address")] = None,
    organisation: OdsCode | None = None,
    flagged: bool | None = None,
) -> Page[PendingAction]:
    """Registrations and access requests to review at the organisations you administer, sortable
    by date or status, filtered by kind, status, date, organisation, a search, or whether flagged
    as a shared mailbox or a name that identifies nobody (the flag says why; you decide)."""
    wanted = PendingFilter(
        sort=sort,
        descending=order == "desc",
        status=status_filter,
        kind=kind,
        since=since,
        until=until,
        q=q,
        organisation=organisation,
        flagged=flagged,
    )
    return paginate(await pending_actions(context(request, runtime, caller), caller, wanted), page)


@router.post("/registrations/{user_id}/approve")
async def approve(
    user_id: str, body: Approval, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> UserView:
    """Approve a registration: the person is emailed a single-use link to complete it."""
    account = await service_accounts.approve_registration(
        context(request, runtime, caller), caller, user_id, body.roles
    )
    return view(account)


@router.post("/registrations/{user_id}/reject")
async def reject(
    user_id: str, body: Rejection, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> UserView:
    """Reject a registration with a reason (the person is emailed it)."""
    account = await service_accounts.reject_registration(
        context(request, runtime, caller), caller, user_id, body.reason
    )
    return view(account)


@router.post("/registrations/complete")
async def complete(body: Completion, request: Request, runtime: RuntimeDep) -> UserView:
    """Complete registration from the emailed link by choosing a password (the link is spent)."""
    account = await service_accounts.complete_registration(
        context(request, runtime), body.token, body.password
    )
    return view(account)


@router.post("/invitations", status_code=status.HTTP_201_CREATED)
async def invite(body: Invitation, request: Request, runtime: RuntimeDep, caller: CallerDep) -> UserView:
    """Invite a person to a role at an organisation; new people complete registration from the
    emailed link, existing users are emailed and get the role once they accept it."""
    account = await service_accounts.invite(
        context(request, runtime, caller),
        caller,
        email=body.email,
        first_name=body.first_name,
        last_name=body.last_name,
        organisation=body.organisation,
        role=RoleAssignment(role=body.role, payment_types=body.payment_types),
    )
    return view(account)


@router.post("/invitations/{request_id}/accept")
async def accept_invitation(
    request_id: str, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> UserView:
    """Accept an invitation you were sent (My Profile lists them): its role applies from now."""
    account = await service_accounts.accept_invitation(context(request, runtime, caller), caller, request_id)
    return view(account)


@router.post("/access-requests", status_code=status.HTTP_201_CREATED)
async def request_access(
    body: AccessRequestBody, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> UserView:
    """Ask for access to another organisation; its administrators review it."""
    account = await service_accounts.request_access(
        context(request, runtime, caller), caller, body.organisation, body.role
    )
    return view(account)


@router.post("/access-requests/{request_id}/approve")
async def approve_access(
    request_id: str, body: Approval, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> UserView:
    """Approve an access request with the roles chosen (default: the role asked for)."""
    account = await service_accounts.review_access_request(
        context(request, runtime, caller), caller, request_id, approve=True, roles=body.roles
    )
    return view(account)


@router.post("/access-requests/{request_id}/reject")
async def reject_access(
    request_id: str, body: Rejection, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> UserView:
    """Reject an access request with a reason."""
    account = await service_accounts.review_access_request(
        context(request, runtime, caller), caller, request_id, approve=False, reason=body.reason
    )
    return view(account)
