"""Helpers that let a consumer see the same event twice and apply it once, across processes.

What a consumer applied is recorded by an insert whose ``_id`` is derived from the event id (or
the effect itself is such an insert), never by an update alone: FerretDB v1 runs updates as a
read and a separate write, so two processes could both "apply" through an update. For effects on
an aggregate, save with ``cause=<event id>`` and ask ``Aggregates.applied`` after loading.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from pymongo.errors import BulkWriteError

from cqrs_kit.mongo import Collection, Document

_NAMESPACE = uuid.UUID("6f1c2f9e-2d4b-4c58-9a52-3c1b0d6b7a10")


def derived_id(event_id: str, purpose: str) -> str:
    """An id for a document created *because of* an event: a repeat derives the same id and hits
    the unique `_id` index instead of creating a second document."""
    return str(uuid.uuid5(_NAMESPACE, f"{purpose}:{event_id}"))


DUPLICATE_KEY = 11000


async def insert_new(collection: Collection, documents: Sequence[Document]) -> int:
    """Insert documents with derived ids in one round trip; those stored before (a repeated event)
    are left as they are. Returns how many were new. Any error other than a duplicate ``_id`` is
    raised, after the others were written (the batch is unordered, so a retry finishes it)."""
    if not documents:
        return 0
    try:
        result = await collection.insert_many(list(documents), ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(error.get("code") != DUPLICATE_KEY for error in errors) or exc.details.get(
            "writeConcernErrors"
        ):
            raise
        return len(documents) - len(errors)
    return len(result.inserted_ids)
