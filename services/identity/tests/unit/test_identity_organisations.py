"""Organisations: ODS codes, parents, descendants, and what an import changes."""

from __future__ import annotations

import datetime as dt

import pytest

from cqrs_contracts.events.identity import OrganisationAdded, OrganisationChanged
from cqrs_identity.errors import RuleBroken, Unknown
from cqrs_identity.organisations.tree import (
    Organisation,
    OrganisationKind,
    OrganisationTree,
    ods_code_problem,
    plan_import,
)

K = OrganisationKind


def test_descendants_are_everything_below(tree: OrganisationTree) -> None:
    assert set(tree.descendants("QWE")) == {"U11111", "U22222", "A81001", "A81002", "A81003"}
    assert set(tree.descendants("Y56")) >= {"QWE", "QXX", "B82001"}
    assert tree.descendants("A81001") == []


def test_ancestors_run_from_the_root(tree: OrganisationTree) -> None:
    assert tree.ancestors("A81001") == ["X24", "Y56", "QWE"]
    assert tree.is_descendant("A81001", of="Y56")
    assert not tree.is_descendant("A81001", of="QXX")
    assert tree.is_at_or_above("QWE", "A81001")
    assert tree.is_at_or_above("A81001", "A81001")


def test_unknown_organisation_is_named(tree: OrganisationTree) -> None:
    with pytest.raises(Unknown, match="ZZZ"):
        tree.get("ZZZ")


@pytest.mark.parametrize(
    ("code", "kind", "ok"),
    [
        ("U12345", K.PCN, True),
        ("A12345", K.PCN, False),
        ("A81001", K.PRACTICE, True),
        ("U12345", K.PRACTICE, True),
        ("A8100", K.PRACTICE, False),
        ("QWE", K.ICB, True),
        ("QWERTY", K.ICB, False),
    ],
)
def test_ods_code_shape_depends_on_kind(code: str, kind: OrganisationKind, ok: bool) -> None:
    assert (ods_code_problem(code, kind) is None) is ok


def test_import_accepts_children_before_parents(now: dt.datetime) -> None:
    incoming = [
        Organisation(ods_code="A81001", name="Surgery", kind=K.PRACTICE, parent="QWE"),
        Organisation(ods_code="QWE", name="ICB", kind=K.ICB, parent="Y56"),
        Organisation(ods_code="Y56", name="Region", kind=K.REGION, parent="X24"),
        Organisation(ods_code="X24", name="NHS England", kind=K.NHS_ENGLAND),
    ]
    new_tree, planned = plan_import(OrganisationTree([]), incoming, now)
    assert len(new_tree) == 4
    events = {org.ods_code: events[0] for org, events in planned}
    assert isinstance(events["A81001"], OrganisationAdded)
    assert events["A81001"].ancestors == ["X24", "Y56", "QWE"]


def test_import_of_the_same_data_changes_nothing(tree: OrganisationTree, now: dt.datetime) -> None:
    assert plan_import(tree, tree.all(), now)[1] == []


def test_moving_an_organisation_changes_its_descendants_ancestors(
    tree: OrganisationTree, now: dt.datetime
) -> None:
    moved = Organisation(ods_code="QWE", name="North ICB", kind=K.ICB, parent="Y56")
    region = Organisation(ods_code="Y57", name="North", kind=K.REGION, parent="X24")
    _, planned = plan_import(tree, [region, moved.model_copy(update={"parent": "Y57"})], now)
    changed = {org.ods_code for org, events in planned if isinstance(events[0], OrganisationChanged)}
    assert changed == {"QWE", "U11111", "U22222", "A81001", "A81002", "A81003"}


@pytest.mark.parametrize(
    ("org", "message"),
    [
        (Organisation(ods_code="A81009", name="S", kind=K.PRACTICE, parent="ZZZ"), "not a known"),
        (Organisation(ods_code="A81009", name="S", kind=K.PRACTICE, parent="U11111"), "must be a ICB"),
        (Organisation(ods_code="A81009", name="S", kind=K.PRACTICE), "needs a parent"),
        (Organisation(ods_code="U1", name="S", kind=K.PCN, parent="QWE"), "not an ODS code"),
    ],
)
def test_import_refuses_bad_parents_and_codes(
    tree: OrganisationTree, now: dt.datetime, org: Organisation, message: str
) -> None:
    with pytest.raises(RuleBroken, match=message):
        plan_import(tree, [org], now)


def test_import_refuses_a_cycle(tree: OrganisationTree, now: dt.datetime) -> None:
    looped = Organisation(ods_code="Y56", name="London", kind=K.REGION, parent="X24")
    top = Organisation(ods_code="X24", name="NHS England", kind=K.NHS_ENGLAND, parent="Y56")
    with pytest.raises(RuleBroken):
        plan_import(tree, [looped, top], now)
