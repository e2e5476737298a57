"""One aggregate's event history: from the service's event records, or from its topic.

The kit commits each save as one immutable record in ``<collection>_events`` (``_id``
``<aggregate id>:<version>``, ``aggregate_id``, ``version``, ``entries`` (the save's outbox entries:
id, type, headers, body), ``actor``, ``correlation_id``, ``created_at``): the audit trail. Where a
database has them, they are read there.
Otherwise the aggregate's topic is read from the beginning, keeping the records keyed by its id
(the record key is the aggregate id, so they come in order within their partition).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient

from cqrs_ops.kafka import Progress, headers_of, read_to_end


@dataclass(frozen=True)
class HistoryEntry:
    """One event in an aggregate's life."""

    sequence: int
    time: str
    type: str
    event_id: str
    actor: str
    correlation_id: str
    body: dict[str, Any]
    #: Place within its save (a save may record several events); 1 for events read from a topic.
    position: int = 1


def _entries_of(record: dict[str, Any]) -> list[HistoryEntry]:
    """The events of one commit record (one save): its outbox entries in the order they were saved."""
    version = int(record.get("version") or 0)
    entries = []
    for position, entry in enumerate(record.get("entries") or [], start=1):
        headers = entry.get("headers") or {}
        body = entry.get("body")
        try:
            parsed = json.loads(body) if isinstance(body, str) else (body or {})
        except json.JSONDecodeError:
            parsed = {"unreadable": str(body)[:200]}
        entries.append(
            HistoryEntry(
                sequence=version,
                time=str(headers.get("ce_time") or record.get("created_at") or ""),
                type=str(entry.get("type") or headers.get("ce_type") or "?"),
                event_id=str(entry.get("id") or headers.get("ce_id") or ""),
                actor=str(record.get("actor") or headers.get("ce_actor") or ""),
                correlation_id=str(record.get("correlation_id") or headers.get("ce_correlationid") or ""),
                body=parsed,
                position=position,
            )
        )
    return entries


async def from_database(
    mongo_url: str, database: str, collection: str, aggregate_id: str
) -> list[HistoryEntry]:
    """The aggregate's commit records in ``<collection>_events``, oldest save first (empty when none)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        records = client[database][f"{collection}_events"]
        found = [doc async for doc in records.find({"aggregate_id": aggregate_id})]
    finally:
        await client.close()
    found.sort(key=lambda r: int(r.get("version") or 0))
    return [entry for record in found for entry in _entries_of(record)]


async def from_topic(
    bootstrap: str, topic: str, aggregate_id: str, progress: Progress | None = None
) -> list[HistoryEntry]:
    """The aggregate's events as published, read from the beginning of its topic."""
    key = aggregate_id.encode()
    records = await read_to_end(bootstrap, topic, keep=lambda r: r.key == key, progress=progress)
    records.sort(key=lambda r: (r.timestamp, r.offset))
    entries = []
    for position, record in enumerate(records, start=1):
        headers = headers_of(record)
        try:
            body = json.loads(record.value or b"{}")
        except json.JSONDecodeError:
            body = {"unreadable": (record.value or b"")[:200].decode(errors="replace")}
        entries.append(
            HistoryEntry(
                sequence=position,
                time=headers.get("ce_time", ""),
                type=headers.get("ce_type", "?"),
                event_id=headers.get("ce_id", ""),
                actor=headers.get("ce_actor", ""),
                correlation_id=headers.get("ce_correlationid", ""),
                body=body,
            )
        )
    return entries
