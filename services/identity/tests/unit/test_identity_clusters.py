"""Clusters: unique names, fixed short names, descendant members; allocated reports."""

from __future__ import annotations

import datetime as dt

import pytest

from cqrs_contracts.events.identity import AllocatedService, ClusterChanged, ClusterCreated
from cqrs_identity.allocations import allocation as allocations
from cqrs_identity.clusters import cluster as clusters
from cqrs_identity.errors import RuleBroken
from cqrs_identity.organisations.tree import OrganisationTree


def north(tree: OrganisationTree, now: dt.datetime) -> clusters.Cluster:
    (event,) = clusters.create(
        cluster_id="c1",
        organisation="QWE",
        sequence=1,
        name="North practices",
        description="",
        organisations=["A81001"],
        taken_names=[],
        tree=tree,
        actor="admin",
        now=now,
    )
    return clusters.apply(None, event)


def test_a_cluster_gets_a_short_name_from_its_organisation(tree: OrganisationTree, now: dt.datetime) -> None:
    cluster = north(tree, now)
    assert cluster.short_name == "QWE-C001"
    renamed = clusters.apply(
        cluster, clusters.change(cluster, name="Northern", tree=tree, actor="a", now=now)[0]
    )
    assert renamed.short_name == "QWE-C001"
    assert renamed.name == "Northern"


@pytest.mark.parametrize(
    ("name", "members", "field"),
    [
        ("north  PRACTICES", ["A81002"], "name"),
        ("", ["A81002"], "name"),
        ("x" * 101, ["A81002"], "name"),
        ("South", ["B82001"], "organisations"),
        ("South", ["QWE"], "organisations"),
        ("South", [], "organisations"),
        ("South", ["ZZZ"], "organisations"),
    ],
)
def test_bad_clusters_are_refused_naming_the_field(
    tree: OrganisationTree, now: dt.datetime, name: str, members: list[str], field: str
) -> None:
    with pytest.raises(RuleBroken) as refused:
        clusters.create(
            cluster_id="c2",
            organisation="QWE",
            sequence=2,
            name=name,
            description="",
            organisations=members,
            taken_names=["North practices"],
            tree=tree,
            actor="a",
            now=now,
        )
    assert refused.value.field == field


def test_adding_and_removing_organisations(tree: OrganisationTree, now: dt.datetime) -> None:
    cluster = north(tree, now)
    (added,) = clusters.change(cluster, add=["U11111", "A81001"], tree=tree, actor="a", now=now)
    assert isinstance(added, ClusterChanged)
    assert added.added == ["U11111"]
    cluster = clusters.apply(cluster, added)
    (removed,) = clusters.change(cluster, remove=["A81001"], tree=tree, actor="a", now=now)
    assert clusters.apply(cluster, removed).organisations == ["U11111"]
    with pytest.raises(RuleBroken, match="not in this cluster"):
        clusters.change(cluster, remove=["A81003"], tree=tree, actor="a", now=now)
    with pytest.raises(RuleBroken, match="at least one"):
        clusters.change(cluster, remove=["A81001", "U11111"], tree=tree, actor="a", now=now)


def test_unchanged_cluster_makes_no_event(tree: OrganisationTree, now: dt.datetime) -> None:
    cluster = north(tree, now)
    assert clusters.change(cluster, name="North practices", tree=tree, actor="a", now=now) == []
    assert isinstance(
        clusters.create(
            cluster_id="c",
            organisation="QWE",
            sequence=3,
            name="n",
            description="d",
            organisations=["A81002"],
            taken_names=[],
            tree=tree,
            actor="a",
            now=now,
        )[0],
        ClusterCreated,
    )


QOF = AllocatedService(quality_service_id="qof", financial_year="2025/26", payment_type="QOF")
LES = AllocatedService(quality_service_id="les", financial_year="2024/25", payment_type="Local")


def test_allocate_and_remove_reports(tree: OrganisationTree, now: dt.datetime) -> None:
    state = allocations.empty("QWE", "U11111")
    state = allocations.apply(state, allocations.allocate(state, [QOF, LES], tree, "a", now)[0])
    assert allocations.allocate(state, [QOF], tree, "a", now) == []
    assert allocations.matching(state.services, financial_year="2025/26") == [QOF]
    assert allocations.matching(state.services, payment_type="Local") == [LES]
    state = allocations.apply(state, allocations.remove(state, ["qof"], "a", now)[0])
    assert state.services == [LES]
    with pytest.raises(RuleBroken) as refused:
        allocations.remove(state, ["qof"], "a", now)
    assert refused.value.field == "quality_service_ids"


def test_reports_are_allocated_only_to_descendants(tree: OrganisationTree, now: dt.datetime) -> None:
    with pytest.raises(RuleBroken) as refused:
        allocations.allocate(allocations.empty("QWE", "B82001"), [QOF], tree, "a", now)
    assert refused.value.field == "descendant"
    with pytest.raises(RuleBroken):
        allocations.allocate(allocations.empty("QWE", "QWE"), [QOF], tree, "a", now)
