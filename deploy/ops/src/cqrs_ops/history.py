"""One aggregate's event history: from the service's event records, or from its topic.

The kit saves each aggregate's events as immutable records in ``<collection>_events`` with ``_id``
``<aggregate id>:<sequence>`` (the audit trail); where a database has them, they are read there.
Otherwise the aggregate's topic is read from the beginning, keeping the records keyed by its id
(the record key is the aggregate id, so they come in order within their partition).
"""

from __future__ import annotations

import json
import re
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


def _sequence(record_id: str) -> int:
    tail = record_id.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _entry_from_record(doc: dict[str, Any], position: int) -> HistoryEntry:
    headers = doc.get("headers") or {}
    body = doc.get("body")
    parsed = json.loads(body) if isinstance(body, str) else (body or {})
    return HistoryEntry(
        sequence=_sequence(str(doc.get("_id", ""))) or position,
        time=str(headers.get("ce_time") or doc.get("created_at") or ""),
        type=str(doc.get("type") or headers.get("ce_type") or "?"),
        event_id=str(doc.get("id") or headers.get("ce_id") or ""),
        actor=str(headers.get("ce_actor") or doc.get("actor") or ""),
        correlation_id=str(headers.get("ce_correlationid") or doc.get("correlation_id") or ""),
        body=parsed,
    )


async def from_database(
    mongo_url: str, database: str, collection: str, aggregate_id: str
) -> list[HistoryEntry]:
    """The aggregate's records in ``<collection>_events``, in sequence order (empty when none)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        records = client[database][f"{collection}_events"]
        found = [doc async for doc in records.find({"_id": {"$regex": f"^{re.escape(aggregate_id)}:"}})]
    finally:
        await client.close()
    entries = [_entry_from_record(doc, i + 1) for i, doc in enumerate(found)]
    return sorted(entries, key=lambda e: e.sequence)


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
