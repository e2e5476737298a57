"""A newer producer's extra optional field must not break an older consumer (tolerant reader)."""

import json

from cqrs_contracts.examples import example_events
from cqrs_contracts.registry import deserialize, serialize


def test_unknown_fields_are_ignored_when_reading() -> None:
    for event in example_events():
        body = json.loads(serialize(event))
        body["added_by_a_later_version"] = "ignored"
        assert deserialize(event.ce_type(), json.dumps(body).encode()) == event
