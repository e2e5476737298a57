"""Derived ids: the same event and purpose always give the same id, anything else another."""

from cqrs_kit.idempotency import derived_id


def test_derived_id_is_stable_and_purpose_specific() -> None:
    assert derived_id("evt-1", "task") == derived_id("evt-1", "task")
    assert derived_id("evt-1", "task") != derived_id("evt-1", "email")
    assert derived_id("evt-1", "task") != derived_id("evt-2", "task")
