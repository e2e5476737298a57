"""Topic names are fixed in one place and dead-letter topics follow one pattern."""

import pytest

from cqrs_contracts.topics import ALL_TOPICS, PARTICIPATION_OFFER, dead_letter_topic


def test_topics_are_unique_and_named_by_service_and_aggregate() -> None:
    assert len(set(ALL_TOPICS)) == len(ALL_TOPICS) == 10
    assert PARTICIPATION_OFFER == "cqrs.participation.offer"
    assert all(topic.count(".") == 2 and topic.startswith("cqrs.") for topic in ALL_TOPICS)


def test_dead_letter_topic_is_per_consumer_group() -> None:
    assert dead_letter_topic("notifications.offers") == "cqrs.deadletter.notifications.offers"


@pytest.mark.parametrize("group", ["", "has space", "x" * 250])
def test_dead_letter_topic_refuses_unusable_group(group: str) -> None:
    with pytest.raises(ValueError, match="consumer group"):
        dead_letter_topic(group)
