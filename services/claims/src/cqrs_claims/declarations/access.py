"""Who may do what to a declaration: the one place declarations ask the Directory."""

from __future__ import annotations

import datetime as dt

from cqrs_claims.declarations.domain.machine import ROLES, Approve, Command, Declare, FinanceApprove
from cqrs_claims.declarations.domain.model import Declaration
from cqrs_kit.auth import Principal
from cqrs_kit.directory import Directory

PCN_ORGANISATION = "PCN Organisation"
VIEW_ROLES = frozenset(
    {
        "View",
        "Finance View",
        "Supervisor",
        "Achievement Entry",
        "Commissioning Management",
        "Declaration Management",
        "Approval Management",
        "Finance Management",
        PCN_ORGANISATION,
    }
)
"""Roles that may see declarations and achievement of the organisations they cover."""


async def refusal(
    directory: Directory, principal: Principal, declaration: Declaration, command: Command
) -> str | None:
    """Why the caller may not give this command for this declaration, or None when they may."""
    (role,) = ROLES[type(command)]
    provider = declaration.provider_organisation_id
    if not await directory.may(principal, role, provider, payment_type=declaration.payment_type):
        return f"{role} at {provider} or above it is needed to {_verb(command)} this declaration"
    if (
        isinstance(command, Declare)
        and declaration.provider_kind == "pcn"
        and not await directory.may(principal, PCN_ORGANISATION, provider)
    ):
        return (
            f"only a nominated person of {provider} (PCN Organisation and Declaration Management) may declare"
        )
    return None


async def visible_providers(directory: Directory, principal: Principal) -> set[str]:
    """Every organisation whose declarations and achievement the caller may see."""
    return await directory.organisations_where(principal, VIEW_ROLES)


async def may_see(directory: Directory, principal: Principal, organisation: str) -> bool:
    """Whether the caller may see an organisation's achievement: it is within their view, or it
    is the PCN one of their practices belongs to today (GP users see their PCN's achievement)."""
    visible = await visible_providers(directory, principal)
    if organisation in visible:
        return True
    return bool(await directory.pcn_practices(organisation, dt.datetime.now(dt.UTC).date()) & visible)


def _verb(command: Command) -> str:
    if isinstance(command, Approve):
        return "approve"
    if isinstance(command, FinanceApprove):
        return "finance approve"
    return "declare"
