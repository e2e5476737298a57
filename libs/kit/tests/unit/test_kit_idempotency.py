"""Ids derived from an event id make a repeated event hit the unique index."""

from cqrs_kit.idempotency import REMEMBERED, derived_id, mark_applied, not_yet_applied


def test_derived_id_is_stable_and_purpose_specific() -> None:
    assert derived_id("evt-1", "task") == derived_id("evt-1", "task")
    assert derived_id("evt-1", "task") != derived_id("evt-1", "email")
    assert derived_id("evt-1", "task") != derived_id("evt-2", "task")


def test_applied_event_fragments() -> None:
    assert not_yet_applied("e") == {"applied_events": {"$ne": "e"}}
    assert mark_applied("e") == {"$push": {"applied_events": {"$each": ["e"], "$slice": -REMEMBERED}}}
