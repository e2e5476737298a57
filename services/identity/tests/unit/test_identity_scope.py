"""Effective scope: organisations and their descendants, or only clusters' when assigned."""

from __future__ import annotations

import pytest

from cqrs_identity.domain.errors import NotAllowed
from cqrs_identity.domain.organisations import OrganisationTree
from cqrs_identity.domain.roles import Grant, Role
from cqrs_identity.domain.scope import Access, Actor, effective_scope, may_act_on

CLUSTERS = {"north": ["U11111", "A81001"], "south": ["B82001"]}


def test_without_clusters_scope_is_the_organisation_and_descendants(tree: OrganisationTree) -> None:
    scope = effective_scope([Access(organisation="QWE")], CLUSTERS, tree)
    assert scope == {"QWE", "U11111", "U22222", "A81001", "A81002", "A81003"}


def test_with_clusters_scope_is_only_the_clusters_and_their_descendants(tree: OrganisationTree) -> None:
    scope = effective_scope([Access(organisation="QWE", cluster_ids=("north",))], CLUSTERS, tree)
    assert scope == {"U11111", "A81001"}
    assert not may_act_on(scope, "QWE")
    assert not may_act_on(scope, "A81002")


def test_cluster_members_bring_their_descendants(tree: OrganisationTree) -> None:
    scope = effective_scope([Access(organisation="Y56", cluster_ids=("icb",))], {"icb": ["QXX"]}, tree)
    assert scope == {"QXX", "U33333", "B82001"}


def test_scopes_of_several_organisations_add_up(tree: OrganisationTree) -> None:
    scope = effective_scope(
        [Access(organisation="A81002"), Access(organisation="QXX", cluster_ids=("south",))], CLUSTERS, tree
    )
    assert scope == {"A81002", "B82001"}


def test_an_unknown_cluster_gives_nothing(tree: OrganisationTree) -> None:
    assert effective_scope([Access(organisation="QWE", cluster_ids=("gone",))], {}, tree) == set()


def test_actor_needs_both_the_role_above_and_the_scope(tree: OrganisationTree) -> None:
    actor = Actor(
        user_id="u",
        grants=(Grant(organisation="QWE", role=Role.USER_ADMINISTRATOR),),
        scope=frozenset({"U11111", "A81001"}),
    )
    assert actor.holds([Role.USER_ADMINISTRATOR], "A81001", tree)
    assert not actor.holds([Role.USER_ADMINISTRATOR], "A81002", tree)
    assert not actor.holds([Role.VIEW], "A81001", tree)
    with pytest.raises(NotAllowed, match="outside the organisations"):
        actor.require([Role.USER_ADMINISTRATOR], "A81002", tree, doing="revoke access")
    viewer = actor.model_copy(update={"grants": (Grant(organisation="QWE", role=Role.VIEW),)})
    with pytest.raises(NotAllowed, match="Organisation Administrator, User Admin") as refused:
        viewer.require(
            [Role.USER_ADMINISTRATOR, Role.ORGANISATION_ADMINISTRATOR], "A81001", tree, doing="revoke access"
        )
    assert refused.value.field == "organisation"
