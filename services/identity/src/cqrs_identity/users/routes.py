"""Routes on existing users: My Profile, preferences, roles, clusters, revoke, enable, disable,
the user list and the audit trail. Users are never deleted, so there is no DELETE."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cqrs_contracts.values import OdsCode
from cqrs_identity.access import CallerDep
from cqrs_identity.api_common import context
from cqrs_identity.routing import router as make_router
from cqrs_identity.users import service as service_users
from cqrs_identity.users.accounts import DISABLE_REASONS, AccountStatus, Preferences
from cqrs_identity.users.listing import AuditFilter, UserFilter
from cqrs_identity.users.roles import Role, RoleAssignment
from cqrs_identity.users.service import AuditLine, Profile, UserView, view
from cqrs_kit.paging import Page, PageDep, paginate
from cqrs_kit.preconditions import IfMatch, expected_version, tag
from cqrs_kit.runtime import RuntimeDep

router = make_router("users")

ClusterId = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class RolesBody(BaseModel):
    """The whole set of roles the user should hold at one organisation."""

    model_config = ConfigDict(extra="forbid")

    organisation: OdsCode
    roles: list[RoleAssignment] = Field(max_length=30)


class ClustersBody(BaseModel):
    """The clusters of one organisation the user is limited to (empty: no limit)."""

    model_config = ConfigDict(extra="forbid")

    organisation: OdsCode
    cluster_ids: list[ClusterId] = Field(max_length=100)


class OrganisationBody(BaseModel):
    """The organisation an action applies to."""

    model_config = ConfigDict(extra="forbid")

    organisation: OdsCode


class EnableBody(BaseModel):
    """Enable access at one organisation, or (no organisation) a disabled account."""

    model_config = ConfigDict(extra="forbid")

    organisation: OdsCode | None = None


class DisableBody(BaseModel):
    """Why the account is disabled: a reason from the list; "Other" needs text (at most 250)."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="one of: " + "; ".join(DISABLE_REASONS)
    )
    reason_text: Annotated[str, StringConstraints(max_length=1000)] | None = None


class PreferencesBody(Preferences):
    """Which emails to receive."""

    model_config = ConfigDict(extra="forbid")


@router.get("/users/me")
async def me(request: Request, runtime: RuntimeDep, caller: CallerDep) -> Profile:
    """My Profile: your account, organisations, roles and the organisations you may act on."""
    return await service_users.profile(context(request, runtime, caller), caller)


@router.get("/users/me/notification-preferences")
async def preferences(caller: CallerDep) -> Preferences:
    """Which emails you receive."""
    return caller.account.preferences


@router.put("/users/me/notification-preferences")
async def change_preferences(
    body: PreferencesBody, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> Preferences:
    """Choose which emails you receive."""
    account = await service_users.change_preferences(
        context(request, runtime, caller),
        caller,
        Preferences.model_validate(body.model_dump()),
    )
    return account.preferences


@router.post("/users/me/disable")
async def disable_me(body: DisableBody, request: Request, runtime: RuntimeDep, caller: CallerDep) -> UserView:
    """Disable your own account (your data is kept for audit; you cannot log in again)."""
    account = await service_users.disable(
        context(request, runtime, caller), caller, caller.actor.user_id, body.reason, body.reason_text
    )
    return view(account)


@router.get("/users")
async def users(
    request: Request,
    runtime: RuntimeDep,
    caller: CallerDep,
    page: PageDep,
    *,
    organisation: OdsCode | None = None,
    q: Annotated[str | None, Query(max_length=100, description="search of name and email")] = None,
    status_filter: Annotated[AccountStatus | None, Query(alias="status")] = None,
    role: Role | None = None,
    sort: Literal["name", "email", "status"] = "name",
    order: Literal["asc", "desc"] = "asc",
) -> Page[UserView]:
    """Users at the organisations you manage (or one of them), searched by name or email,
    filtered by status and by a role held at an organisation you manage, sorted, paged."""
    wanted = UserFilter(q=q, status=status_filter, role=role, sort=sort, descending=order == "desc")
    found = await service_users.users(context(request, runtime, caller), caller, organisation, wanted)
    return paginate(found, page)


@router.get("/users/{user_id}")
async def user(
    user_id: str, request: Request, response: Response, runtime: RuntimeDep, caller: CallerDep
) -> UserView:
    """One user (yourself, or a user at an organisation you manage); the ETag is the version to
    send as If-Match when changing their roles or clusters."""
    found = await service_users.user(context(request, runtime, caller), caller, user_id)
    tag(response, found.version)
    return found


@router.put("/users/{user_id}/roles")
async def change_roles(
    user_id: str,
    body: RolesBody,
    *,
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    caller: CallerDep,
    if_match: IfMatch = None,
) -> UserView:
    """Set a user's roles at one organisation (adds the organisation to them when new). If-Match
    (the user's ETag) is required: an edit made from a stale copy is refused with 412."""
    account = await service_users.change_roles(
        context(request, runtime, caller),
        caller,
        user_id,
        body.organisation,
        body.roles,
        if_match=expected_version(if_match, "user"),
    )
    tag(response, account.version)
    return view(account)


@router.put("/users/{user_id}/clusters")
async def assign_clusters(
    user_id: str,
    body: ClustersBody,
    *,
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    caller: CallerDep,
    if_match: IfMatch = None,
) -> UserView:
    """Limit a user at an organisation to some of its Service Provider Clusters. If-Match (the
    user's ETag) is required: an edit made from a stale copy is refused with 412."""
    account = await service_users.assign_clusters(
        context(request, runtime, caller),
        caller,
        user_id,
        body.organisation,
        body.cluster_ids,
        if_match=expected_version(if_match, "user"),
    )
    tag(response, account.version)
    return view(account)


@router.post("/users/{user_id}/revoke")
async def revoke(
    user_id: str, body: OrganisationBody, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> UserView:
    """Revoke all of a user's access at one organisation (they can still log in)."""
    account = await service_users.revoke(
        context(request, runtime, caller), caller, user_id, body.organisation
    )
    return view(account)


@router.post("/users/{user_id}/enable")
async def enable(
    user_id: str, body: EnableBody, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> UserView:
    """Enable Account: give back revoked access at an organisation, or re-enable a disabled
    account when no organisation is given."""
    account = await service_users.enable(
        context(request, runtime, caller), caller, user_id, body.organisation
    )
    return view(account)


@router.post("/users/{user_id}/disable")
async def disable(
    user_id: str, body: DisableBody, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> UserView:
    """Disable a user's account (administrators of their organisations, or the user)."""
    account = await service_users.disable(
        context(request, runtime, caller), caller, user_id, body.reason, body.reason_text
    )
    return view(account)


@router.get("/audit")
async def audit(
    request: Request,
    runtime: RuntimeDep,
    caller: CallerDep,
    page: PageDep,
    *,
    subject: Annotated[str | None, Query(max_length=100, description="the user it is about")] = None,
    user_id: Annotated[str | None, Query(max_length=100, description="the same as subject")] = None,
    actor: Annotated[str | None, Query(max_length=100, description="the user who acted")] = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Page[AuditLine]:
    """The audit trail of account actions and logins (who, when, what, why), for administrators,
    newest first, filtered by date range (inclusive days), actor and subject, paged."""
    wanted = AuditFilter(since=since, until=until, actor=actor, subject=subject or user_id)
    return paginate(await service_users.audit(context(request, runtime, caller), caller, wanted), page)
