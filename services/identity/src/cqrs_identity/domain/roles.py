"""Roles, where each may be held, and who may grant which: the role-grant matrix.

| granter holds (at the target organisation or above it) | may grant or remove |
|---|---|
| Advanced User Administrator | every role, including the four administrator roles |
| User Administrator | every role except the administrator roles |
| Local Administrator (CQRS Local) | the CQRS Local roles except Local Administrator, and View |
| Organisation Administrator | no roles (it manages clusters and allocated reports) |

Always also: one grant of the granter must cover the target organisation (it or above it, within
that grant's clusters: the kit's per-grant rule); nobody changes
their own roles; a granter whose granting role is limited to payment types grants only roles
limited to a subset of those; the role must suit the organisation's kind; Declaration Management
at a PCN is for its nominated persons, so it needs the PCN Organisation role beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from cqrs_identity.domain.errors import NotAllowed, RuleBroken
from cqrs_identity.domain.organisations import (
    COMMISSIONER_KINDS,
    PROVIDER_KINDS,
    OrganisationKind,
)


class Role(StrEnum):
    """Every role a user may hold at an organisation, named as users see them."""

    ORGANISATION_ADMINISTRATOR = "Organisation Administrator"
    USER_ADMINISTRATOR = "User Administrator"
    ADVANCED_USER_ADMINISTRATOR = "Advanced User Administrator"
    COMMISSIONING_MANAGEMENT = "Commissioning Management"
    SERVICE_MANAGEMENT = "Service Management"
    DECLARATION_MANAGEMENT = "Declaration Management"
    APPROVAL_MANAGEMENT = "Approval Management"
    FINANCE_MANAGEMENT = "Finance Management"
    ACHIEVEMENT_ENTRY = "Achievement Entry"
    FINANCE_VIEW = "Finance View"
    VIEW = "View"
    SUPERVISOR = "Supervisor"
    PCN_ORGANISATION = "PCN Organisation"
    LOCAL_ADMINISTRATOR = "Local Administrator"
    LOCAL_APPROVER_TIER_1 = "Local Approver Tier 1"
    LOCAL_APPROVER_TIER_2 = "Local Approver Tier 2"
    LOCAL_FINANCE = "Local Finance"
    LOCAL_USER_SINGLE_LEVEL = "Local User (single-level)"
    LOCAL_USER_MULTI_LEVEL = "Local User (multi-level)"
    LOCAL_APPROVER_MULTI_LEVEL = "Local Approver (multi-level)"


ADMINISTRATOR_ROLES = frozenset(
    {
        Role.ORGANISATION_ADMINISTRATOR,
        Role.USER_ADMINISTRATOR,
        Role.ADVANCED_USER_ADMINISTRATOR,
        Role.LOCAL_ADMINISTRATOR,
    }
)
"""Roles that manage other users or the organisation itself."""

USER_MANAGER_ROLES = frozenset(
    {Role.USER_ADMINISTRATOR, Role.ADVANCED_USER_ADMINISTRATOR, Role.LOCAL_ADMINISTRATOR}
)
"""Roles that review registrations and access requests, invite, revoke, enable and disable."""

ORGANISATION_MANAGER_ROLES = frozenset({Role.ORGANISATION_ADMINISTRATOR})
"""Roles that manage Service Provider Clusters and Allocated Reports of their organisation."""

LOCAL_ROLES = frozenset(
    {
        Role.LOCAL_ADMINISTRATOR,
        Role.LOCAL_APPROVER_TIER_1,
        Role.LOCAL_APPROVER_TIER_2,
        Role.LOCAL_FINANCE,
        Role.LOCAL_USER_SINGLE_LEVEL,
        Role.LOCAL_USER_MULTI_LEVEL,
        Role.LOCAL_APPROVER_MULTI_LEVEL,
    }
)
"""The CQRS Local roles (commissioner and provider)."""

COMMISSIONER_ONLY = frozenset(
    {
        Role.COMMISSIONING_MANAGEMENT,
        Role.APPROVAL_MANAGEMENT,
        Role.FINANCE_MANAGEMENT,
        Role.LOCAL_ADMINISTRATOR,
        Role.LOCAL_APPROVER_TIER_1,
        Role.LOCAL_APPROVER_TIER_2,
        Role.LOCAL_FINANCE,
    }
)
PROVIDER_ONLY = frozenset(
    {
        Role.SERVICE_MANAGEMENT,
        Role.DECLARATION_MANAGEMENT,
        Role.ACHIEVEMENT_ENTRY,
        Role.LOCAL_USER_SINGLE_LEVEL,
        Role.LOCAL_USER_MULTI_LEVEL,
        Role.LOCAL_APPROVER_MULTI_LEVEL,
    }
)
PCN_ONLY = frozenset({Role.PCN_ORGANISATION})

#: The role-grant matrix: the roles each granting role may grant or remove.
GRANTABLE_BY: dict[Role, frozenset[Role]] = {
    Role.ADVANCED_USER_ADMINISTRATOR: frozenset(Role),
    Role.USER_ADMINISTRATOR: frozenset(Role) - ADMINISTRATOR_ROLES,
    Role.LOCAL_ADMINISTRATOR: (LOCAL_ROLES - {Role.LOCAL_ADMINISTRATOR}) | {Role.VIEW},
    Role.ORGANISATION_ADMINISTRATOR: frozenset(),
}


class RoleAssignment(BaseModel):
    """One role at an organisation, optionally limited to payment types (empty: all of them)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    payment_types: list[str] = Field(default_factory=list, max_length=20)


class Grant(BaseModel):
    """A role held at an organisation: what authorises an actor."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    role: Role
    payment_types: tuple[str, ...] = ()


def kind_refusal(role: Role, kind: OrganisationKind) -> str | None:
    """Why the role cannot be held at an organisation of this kind, or None."""
    if role in COMMISSIONER_ONLY and kind not in COMMISSIONER_KINDS:
        return f"{role.value} is a commissioner role; a {kind.value} cannot hold it"
    if role in PROVIDER_ONLY and kind not in PROVIDER_KINDS:
        return f"{role.value} is a Service Provider role; a {kind.value} cannot hold it"
    if role in PCN_ONLY and kind is not OrganisationKind.PCN:
        return f"{role.value} can only be held at a PCN"
    return None


def check_role_set(roles: Sequence[RoleAssignment], kind: OrganisationKind) -> None:
    """Refuse a set of roles at one organisation that breaks a kind or nominated-person rule."""
    seen: set[Role] = set()
    for assignment in roles:
        if assignment.role in seen:
            raise RuleBroken(f"{assignment.role.value} is listed twice", field="roles")
        seen.add(assignment.role)
        refusal = kind_refusal(assignment.role, kind)
        if refusal:
            raise RuleBroken(refusal, field="roles")
    pcn_declarer = kind is OrganisationKind.PCN and Role.DECLARATION_MANAGEMENT in seen
    if pcn_declarer and Role.PCN_ORGANISATION not in seen:
        raise RuleBroken(
            "Declaration Management at a PCN is for its nominated persons: "
            "grant the PCN Organisation role with it",
            field="roles",
        )


class HeldGrant(Protocol):
    """What the role-grant matrix reads of one grant the granter holds."""

    @property
    def organisation(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def payment_types(self) -> tuple[str, ...]: ...


Reaches = Callable[[Any, str], bool]
"""Whether one grant's organisation and clusters cover an organisation (the kit's per-grant rule)."""


def grant_refusal(
    grants: Iterable[HeldGrant], reaches: Reaches, organisation: str, change: RoleAssignment
) -> str | None:
    """Why an actor with these grants may not grant or remove this role here, or None.

    One grant must do it alone: a granting role whose organisation and clusters cover the
    organisation, limited to payment types covering the change's.
    """
    wanted = set(change.payment_types)
    covering = [g for g in grants if reaches(g, organisation)]
    if not covering:
        return f"{organisation} is outside the organisations you may act on"
    for grant in covering:
        if change.role not in GRANTABLE_BY.get(Role(grant.role), frozenset()):
            continue
        if grant.payment_types and (not wanted or not wanted <= set(grant.payment_types)):
            continue
        return None
    return (
        f"you may not grant or remove {change.role.value} at {organisation}; "
        "ask an administrator with a higher role"
    )


def check_grants(
    grants: Sequence[HeldGrant],
    reaches: Reaches,
    organisation: str,
    changes: Iterable[RoleAssignment],
    *,
    actor_id: str,
    user_id: str,
) -> None:
    """Refuse the whole change when any one role in it may not be granted by this actor."""
    if actor_id == user_id:
        raise NotAllowed("you cannot change your own roles", field="roles")
    for change in changes:
        refusal = grant_refusal(grants, reaches, organisation, change)
        if refusal:
            raise NotAllowed(refusal, field="roles")


def changed_roles(before: Sequence[RoleAssignment], after: Sequence[RoleAssignment]) -> list[RoleAssignment]:
    """The roles added, removed or re-limited between two sets: each needs the right to grant it."""
    old = {a.role: a for a in before}
    new = {a.role: a for a in after}
    changed = [a for r, a in new.items() if old.get(r) != a]
    changed += [a for r, a in old.items() if new.get(r) != a]
    return changed
