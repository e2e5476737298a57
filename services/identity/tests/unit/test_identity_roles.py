"""The role-grant matrix, where roles may be held, and nominated persons at PCNs."""

from __future__ import annotations

import pytest

from cqrs_identity.domain.errors import NotAllowed, RuleBroken
from cqrs_identity.domain.organisations import OrganisationKind, OrganisationTree
from cqrs_identity.domain.roles import (
    ADMINISTRATOR_ROLES,
    Grant,
    Reaches,
    Role,
    RoleAssignment,
    changed_roles,
    check_grants,
    check_role_set,
    grant_refusal,
    kind_refusal,
)

R = Role
K = OrganisationKind


def reaches_in(tree: OrganisationTree) -> Reaches:
    """The per-grant reach without clusters: the grant's organisation and everything below it."""
    return lambda grant, organisation: tree.is_at_or_above(grant.organisation, organisation)


def may_grant(
    tree: OrganisationTree,
    granter: Role,
    role: Role,
    *,
    where: str = "A81001",
    payment_types: tuple[str, ...] = (),
    wanted: tuple[str, ...] = (),
) -> bool:
    grants = [Grant(organisation="QWE", role=granter, payment_types=payment_types)]
    change = RoleAssignment(role=role, payment_types=list(wanted))
    return grant_refusal(grants, reaches_in(tree), where, change) is None


@pytest.mark.parametrize("role", list(Role))
def test_advanced_user_administrator_grants_every_role(tree: OrganisationTree, role: Role) -> None:
    assert may_grant(tree, R.ADVANCED_USER_ADMINISTRATOR, role)


@pytest.mark.parametrize("role", list(Role))
def test_user_administrator_grants_every_role_but_administrators(tree: OrganisationTree, role: Role) -> None:
    assert may_grant(tree, R.USER_ADMINISTRATOR, role) is (role not in ADMINISTRATOR_ROLES)


@pytest.mark.parametrize("role", list(Role))
def test_local_administrator_grants_local_roles_and_view(tree: OrganisationTree, role: Role) -> None:
    expected = role.value.startswith("Local ") and role is not R.LOCAL_ADMINISTRATOR
    assert may_grant(tree, R.LOCAL_ADMINISTRATOR, role) is (expected or role is R.VIEW)


@pytest.mark.parametrize("role", list(Role))
def test_organisation_administrator_grants_no_roles(tree: OrganisationTree, role: Role) -> None:
    assert not may_grant(tree, R.ORGANISATION_ADMINISTRATOR, role)


@pytest.mark.parametrize("role", [R.VIEW, R.SERVICE_MANAGEMENT, R.USER_ADMINISTRATOR])
def test_roles_held_below_do_not_let_you_grant_above(tree: OrganisationTree, role: Role) -> None:
    grants = [Grant(organisation="A81001", role=R.ADVANCED_USER_ADMINISTRATOR)]
    assert grant_refusal(grants, reaches_in(tree), "QWE", RoleAssignment(role=role)) is not None


def test_nobody_grants_outside_their_scope(tree: OrganisationTree) -> None:
    assert not may_grant(tree, R.ADVANCED_USER_ADMINISTRATOR, R.VIEW, where="B82001")


def test_payment_type_limited_granter_grants_only_within_those_types(tree: OrganisationTree) -> None:
    qof = ("QOF",)
    assert may_grant(tree, R.USER_ADMINISTRATOR, R.VIEW, payment_types=qof, wanted=qof)
    assert not may_grant(tree, R.USER_ADMINISTRATOR, R.VIEW, payment_types=qof)
    assert not may_grant(tree, R.USER_ADMINISTRATOR, R.VIEW, payment_types=qof, wanted=("QOF", "Local"))


def test_nobody_changes_their_own_roles(tree: OrganisationTree) -> None:
    grants = [Grant(organisation="QWE", role=R.ADVANCED_USER_ADMINISTRATOR)]
    with pytest.raises(NotAllowed, match="your own roles"):
        check_grants(
            grants,
            reaches_in(tree),
            "A81001",
            [RoleAssignment(role=R.VIEW)],
            actor_id="u1",
            user_id="u1",
        )


@pytest.mark.parametrize(
    ("role", "kind", "ok"),
    [
        (R.COMMISSIONING_MANAGEMENT, K.ICB, True),
        (R.COMMISSIONING_MANAGEMENT, K.PRACTICE, False),
        (R.SERVICE_MANAGEMENT, K.PRACTICE, True),
        (R.SERVICE_MANAGEMENT, K.ICB, False),
        (R.PCN_ORGANISATION, K.PCN, True),
        (R.PCN_ORGANISATION, K.PRACTICE, False),
        (R.LOCAL_APPROVER_TIER_1, K.ICB, True),
        (R.LOCAL_USER_SINGLE_LEVEL, K.PRACTICE, True),
        (R.LOCAL_USER_SINGLE_LEVEL, K.REGION, False),
        (R.VIEW, K.NHS_ENGLAND, True),
    ],
)
def test_roles_suit_the_kind_of_organisation(role: Role, kind: OrganisationKind, ok: bool) -> None:
    assert (kind_refusal(role, kind) is None) is ok


def test_declaration_management_at_a_pcn_is_for_nominated_persons() -> None:
    with pytest.raises(RuleBroken, match="PCN Organisation"):
        check_role_set([RoleAssignment(role=R.DECLARATION_MANAGEMENT)], K.PCN)
    check_role_set(
        [RoleAssignment(role=R.DECLARATION_MANAGEMENT), RoleAssignment(role=R.PCN_ORGANISATION)], K.PCN
    )
    check_role_set([RoleAssignment(role=R.DECLARATION_MANAGEMENT)], K.PRACTICE)


def test_a_role_listed_twice_is_refused() -> None:
    with pytest.raises(RuleBroken, match="twice"):
        check_role_set([RoleAssignment(role=R.VIEW), RoleAssignment(role=R.VIEW)], K.ICB)


def test_changed_roles_are_added_removed_and_relimited() -> None:
    view, qof_view = RoleAssignment(role=R.VIEW), RoleAssignment(role=R.VIEW, payment_types=["QOF"])
    supervisor = RoleAssignment(role=R.SUPERVISOR)
    assert changed_roles([view], [view]) == []
    assert changed_roles([view], [view, supervisor]) == [supervisor]
    assert changed_roles([view, supervisor], [view]) == [supervisor]
    assert changed_roles([view], [qof_view]) == [qof_view, view]
