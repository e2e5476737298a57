"""PCN relationships are dated and never overlap; the report filters as the guide describes."""

from __future__ import annotations

import datetime as dt

import pytest

from cqrs_contracts.events.identity import PcnRelationshipEnded, PcnRelationshipStarted
from cqrs_identity.errors import NotAllowed, RuleBroken
from cqrs_identity.organisations import relationships as rel
from cqrs_identity.organisations.tree import OrganisationTree

D = dt.date


def joined(
    tree: OrganisationTree, now: dt.datetime, practice: str, *spans: tuple[str, D, D | None]
) -> rel.PracticePcns:
    state = rel.PracticePcns(practice=practice)
    for pcn, start, end in spans:
        for event in rel.start_relationship(state, tree, pcn, start, end, now=now):
            state = rel.apply(state, event)
    return state


def test_a_practice_joins_a_pcn(tree: OrganisationTree, now: dt.datetime) -> None:
    state = rel.PracticePcns(practice="A81001")
    (event,) = rel.start_relationship(state, tree, "U11111", D(2024, 4, 1), None, now=now)
    assert isinstance(event, PcnRelationshipStarted)
    assert event.aggregate_id() == "A81001"


def test_recording_the_same_relationship_twice_changes_nothing(
    tree: OrganisationTree, now: dt.datetime
) -> None:
    state = joined(tree, now, "A81001", ("U11111", D(2024, 4, 1), None))
    assert rel.start_relationship(state, tree, "U11111", D(2024, 4, 1), None, now=now) == []


def test_relationships_of_a_practice_cannot_overlap(tree: OrganisationTree, now: dt.datetime) -> None:
    state = joined(tree, now, "A81001", ("U11111", D(2024, 4, 1), None))
    with pytest.raises(RuleBroken, match="already belongs to U11111") as refused:
        rel.start_relationship(state, tree, "U22222", D(2025, 4, 1), None, now=now)
    assert refused.value.field == "start"


def test_a_practice_moves_after_its_old_relationship_ends(tree: OrganisationTree, now: dt.datetime) -> None:
    state = joined(tree, now, "A81001", ("U11111", D(2024, 4, 1), None))
    (ended,) = rel.end_relationship(state, "A81001:U11111:2024-04-01", D(2025, 3, 31), now)
    assert isinstance(ended, PcnRelationshipEnded)
    state = rel.apply(state, ended)
    assert rel.start_relationship(state, tree, "U22222", D(2025, 4, 1), None, now=now)


def test_importing_an_end_date_later_ends_the_relationship(tree: OrganisationTree, now: dt.datetime) -> None:
    state = joined(tree, now, "A81001", ("U11111", D(2024, 4, 1), None))
    (event,) = rel.start_relationship(state, tree, "U11111", D(2024, 4, 1), D(2025, 3, 31), now=now)
    assert isinstance(event, PcnRelationshipEnded)


@pytest.mark.parametrize(
    ("practice", "pcn", "start", "end", "field"),
    [
        ("U11111", "U22222", D(2024, 4, 1), None, "practice"),
        ("A81001", "A81002", D(2024, 4, 1), None, "pcn"),
        ("A81001", "U11111", D(2024, 4, 1), D(2024, 3, 31), "end"),
    ],
)
def test_bad_relationships_name_the_field(
    tree: OrganisationTree, now: dt.datetime, *, practice: str, pcn: str, start: D, end: D | None, field: str
) -> None:
    with pytest.raises(RuleBroken) as refused:
        rel.start_relationship(rel.PracticePcns(practice=practice), tree, pcn, start, end, now=now)
    assert refused.value.field == field


def history(tree: OrganisationTree, now: dt.datetime) -> list[rel.PcnRelationship]:
    """A81001 moved from PCN A to PCN B on 1 April 2025; A81002 stayed in A; B82001 in C."""
    states = [
        joined(
            tree, now, "A81001", ("U11111", D(2023, 4, 1), D(2025, 3, 31)), ("U22222", D(2025, 4, 1), None)
        ),
        joined(tree, now, "A81002", ("U11111", D(2023, 4, 1), None)),
        joined(tree, now, "B82001", ("U33333", D(2023, 4, 1), None)),
    ]
    return [r for s in states for r in s.relationships]


ICB = rel.ReportViewer(
    commissioner_scope=frozenset({"QWE", "U11111", "U22222", "A81001", "A81002", "A81003"})
)
TODAY = D(2025, 6, 1)


def report(
    tree: OrganisationTree, now: dt.datetime, viewer: rel.ReportViewer, start: D, end: D, **filters: str
) -> list[tuple[str, str, bool]]:
    lines = rel.relationship_report(
        history(tree, now), start=start, end=end, today=TODAY, viewer=viewer, **filters
    )
    return [(line.pcn, line.practice, line.current) for line in lines]


def test_icb_sees_every_relationship_overlapping_the_period_in_its_area(
    tree: OrganisationTree, now: dt.datetime
) -> None:
    assert report(tree, now, ICB, D(2024, 4, 1), D(2025, 5, 31)) == [
        ("U11111", "A81001", False),
        ("U11111", "A81002", True),
        ("U22222", "A81001", True),
    ]


def test_icb_filtered_to_a_pcn_sees_its_current_practices(tree: OrganisationTree, now: dt.datetime) -> None:
    assert report(tree, now, ICB, D(2024, 4, 1), D(2025, 5, 31), pcn="U11111") == [("U11111", "A81002", True)]


def test_icb_filtered_to_a_practice_sees_current_and_past(tree: OrganisationTree, now: dt.datetime) -> None:
    assert report(tree, now, ICB, D(2024, 4, 1), D(2025, 5, 31), practice="A81001") == [
        ("U11111", "A81001", False),
        ("U22222", "A81001", True),
    ]


def test_period_before_the_move_shows_the_old_pcn_as_current(
    tree: OrganisationTree, now: dt.datetime
) -> None:
    assert report(tree, now, ICB, D(2024, 4, 1), D(2024, 12, 31), pcn="U11111") == [
        ("U11111", "A81001", True),
        ("U11111", "A81002", True),
    ]


def test_gp_or_pcn_user_sees_current_practices_of_own_pcn(tree: OrganisationTree, now: dt.datetime) -> None:
    own = rel.ReportViewer(own_pcns=frozenset({"U11111"}))
    assert report(tree, now, own, D(2024, 4, 1), D(2025, 5, 31)) == [("U11111", "A81002", True)]
    with pytest.raises(NotAllowed, match="your own PCN"):
        report(tree, now, own, D(2024, 4, 1), D(2025, 5, 31), pcn="U33333")


def test_commissioner_cannot_filter_outside_its_scope(tree: OrganisationTree, now: dt.datetime) -> None:
    with pytest.raises(NotAllowed) as refused:
        report(tree, now, ICB, D(2024, 4, 1), D(2025, 5, 31), practice="B82001")
    assert refused.value.field == "practice"
    assert ("U33333", "B82001", True) not in report(tree, now, ICB, D(2020, 1, 1), TODAY)


def test_report_period_must_be_ordered(tree: OrganisationTree, now: dt.datetime) -> None:
    with pytest.raises(RuleBroken) as refused:
        report(tree, now, ICB, D(2025, 5, 31), D(2024, 4, 1))
    assert refused.value.field == "end"


def test_pcns_of_practices_on_a_day(tree: OrganisationTree, now: dt.datetime) -> None:
    assert rel.pcns_of(history(tree, now), ["A81001"], D(2025, 1, 1)) == {"U11111"}
    assert rel.pcns_of(history(tree, now), ["A81001"], D(2025, 4, 1)) == {"U22222"}
