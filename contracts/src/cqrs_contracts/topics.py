"""Kafka topic names, one per service and aggregate, so producers and consumers never spell them."""

import re

PARTICIPATION_OFFER = "cqrs.participation.offer"
PARTICIPATION_SERVICE = "cqrs.participation.service"
CLAIMS_CLAIM = "cqrs.claims.claim"
CLAIMS_ATTACHMENT = "cqrs.claims.attachment"
CLAIMS_DECLARATION = "cqrs.claims.declaration"
SCANNING_SCAN = "cqrs.scanning.scan"
IDENTITY_ORGANISATION = "cqrs.identity.organisation"
IDENTITY_USER = "cqrs.identity.user"
NOTIFICATIONS_TASK = "cqrs.notifications.task"
EXTRACTION_ACHIEVEMENT = "cqrs.extraction.achievement"
"""Inbound: achievement counts sent by a GP data extraction system (another NHS system)."""

ALL_TOPICS: tuple[str, ...] = (
    PARTICIPATION_OFFER,
    PARTICIPATION_SERVICE,
    CLAIMS_CLAIM,
    CLAIMS_ATTACHMENT,
    CLAIMS_DECLARATION,
    SCANNING_SCAN,
    IDENTITY_ORGANISATION,
    IDENTITY_USER,
    NOTIFICATIONS_TASK,
    EXTRACTION_ACHIEVEMENT,
)
"""Every event topic (dead-letter topics excluded: they are derived per consumer group)."""

_DEAD_LETTER_PREFIX = "cqrs.deadletter."
_KAFKA_TOPIC_CHARS = re.compile(r"^[A-Za-z0-9._-]+$")
_KAFKA_TOPIC_MAX = 249


def dead_letter_topic(group: str) -> str:
    """Name the topic where a consumer group parks messages it cannot process."""
    topic = _DEAD_LETTER_PREFIX + group
    if not _KAFKA_TOPIC_CHARS.match(group) or len(topic) > _KAFKA_TOPIC_MAX:
        msg = f"not a usable consumer group name for a topic: {group!r}"
        raise ValueError(msg)
    return topic
