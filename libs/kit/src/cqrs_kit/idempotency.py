"""Helpers that let a consumer see the same event twice and apply it once."""

from __future__ import annotations

import uuid
from typing import Any

_NAMESPACE = uuid.UUID("6f1c2f9e-2d4b-4c58-9a52-3c1b0d6b7a10")

APPLIED = "applied_events"
#: How many applied event ids a document remembers; a repeat older than this is vanishingly rare.
REMEMBERED = 200


def derived_id(event_id: str, purpose: str) -> str:
    """An id for a document created *because of* an event: a repeat derives the same id and hits
    the unique `_id` index instead of creating a second document."""
    return str(uuid.uuid5(_NAMESPACE, f"{purpose}:{event_id}"))


def not_yet_applied(event_id: str) -> dict[str, Any]:
    """Filter fragment matching a document only if this event has not been applied to it."""
    return {APPLIED: {"$ne": event_id}}


def mark_applied(event_id: str) -> dict[str, Any]:
    """Update fragment recording the event id in the same atomic write as the effect."""
    return {"$push": {APPLIED: {"$each": [event_id], "$slice": -REMEMBERED}}}
