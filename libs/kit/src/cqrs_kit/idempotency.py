"""Helpers that let a consumer see the same event twice and apply it once, across processes.

What a consumer applied is recorded by an insert whose ``_id`` is derived from the event id (or
the effect itself is such an insert), never by an update alone: FerretDB v1 runs updates as a
read and a separate write, so two processes could both "apply" through an update. For effects on
an aggregate, save with ``cause=<event id>`` and ask ``Aggregates.applied`` after loading.
"""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("6f1c2f9e-2d4b-4c58-9a52-3c1b0d6b7a10")


def derived_id(event_id: str, purpose: str) -> str:
    """An id for a document created *because of* an event: a repeat derives the same id and hits
    the unique `_id` index instead of creating a second document."""
    return str(uuid.uuid5(_NAMESPACE, f"{purpose}:{event_id}"))
