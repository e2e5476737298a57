"""The daily digest: for users who chose it, one email a day listing their new items.

Each email a digest user would have had becomes an *entry* instead (id derived from the event,
category and user, so a repeated event adds nothing), due from ``SEND_AT`` (London time) on the
day after it arrived. Each round of the email dispatcher turns the due entries of one user and day
into one email in the outbox, its id derived from (user, day): a round repeated after a crash
queues nothing new, and the outbox's send-once rule does the rest. Tasks closed before the digest
goes out are left out (nothing to do any more); a day with nothing left sends nothing.

A round may miss an entry stored in the instant it runs for that day; the next round then finds
it, but its (user, day) email was queued already, so it is marked sent without being mailed. The
window is the seconds around ``SEND_AT``, hours after the day's last entry could be written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError

from cqrs_kit.idempotency import derived_id, insert_new
from cqrs_kit.logs import get_logger
from cqrs_kit.mail_outbox import QueuedMail, Rendered
from cqrs_kit.mongo import Collection, Index, Mongo
from cqrs_notifications.mailbox import Outbox
from cqrs_notifications.store import ItemStore

log = get_logger(__name__)

ENTRIES = "digest_entries"
INDEXES = [Index(ENTRIES, ["status", "send_after"])]
LONDON = ZoneInfo("Europe/London")
SEND_AT = dt.time(7, 0)
"""When the previous day's digest goes out, London time."""


class DigestEntry(BaseModel):
    """One item a digest user is to hear about in their next digest."""

    entry_id: str
    user_id: str
    to: str
    name: str
    item_id: str
    kind: str
    title: str
    day: str
    """The London day (ISO) it arrived on."""
    send_after: dt.datetime
    status: str = "pending"


def digest_day(now: dt.datetime) -> tuple[dt.date, dt.datetime]:
    """The London day an entry stored now belongs to, and when that day's digest is due (UTC)."""
    day = now.astimezone(LONDON).date()
    due = dt.datetime.combine(day + dt.timedelta(days=1), SEND_AT, tzinfo=LONDON)
    return day, due.astimezone(dt.UTC)


class Digests:
    """Digest entries and the round that turns due ones into emails."""

    def __init__(self, mongo: Mongo, outbox: Outbox, render: Any) -> None:
        self.entries: Collection = mongo.collection(ENTRIES)
        self.items = ItemStore(mongo)
        self.outbox = outbox
        self.render = render
        """(person name, day, items) -> (subject, text, html)."""

    async def add(self, entry: DigestEntry) -> bool:
        """Keep an entry; False when the same event already gave it (a repeat)."""
        try:
            await self.entries.insert_one({"_id": entry.entry_id, **entry.model_dump(exclude={"entry_id"})})
        except DuplicateKeyError:
            return False
        return True

    async def add_many(self, entries: list[DigestEntry]) -> int:
        """Keep several entries in one write; how many were new."""
        docs = [{"_id": e.entry_id, **e.model_dump(exclude={"entry_id"})} for e in entries]
        return await insert_new(self.entries, docs)

    async def queue_due(self, now: dt.datetime) -> int:
        """Queue one email per user and day whose digest is due; how many were queued."""
        groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        async for doc in self.entries.find({"status": "pending", "send_after": {"$lte": now}}):
            groups[(doc["user_id"], str(doc["day"]))].append(doc)
        queued = 0
        for (user_id, day), docs in groups.items():
            items = [d for d in docs if await self._still_relevant(d)]
            if items and await self._queue(user_id, day, items, now):
                queued += 1
            for doc in docs:
                await self.entries.update_one({"_id": doc["_id"]}, {"$set": {"status": "done"}})
        return queued

    async def _still_relevant(self, doc: dict[str, Any]) -> bool:
        item = await self.items.get(doc["item_id"])
        return item is not None and not (item.kind == "task" and item.status == "closed")

    async def _queue(self, user_id: str, day: str, docs: list[dict[str, Any]], now: dt.datetime) -> bool:
        docs.sort(key=lambda d: (d["kind"] != "task", d["title"]))
        subject, text, html = self.render(docs[0]["name"], day, docs)
        email = QueuedMail.new(
            derived_id(f"digest:{user_id}", day),
            docs[0]["to"],
            "daily-digest",
            now,
            rendered=Rendered(subject=subject, text=text, html=html),
            params={"item_id": docs[0]["item_id"]},
            user_id=user_id,
        )
        created = await self.outbox.queue_many([email]) == 1
        log.info(
            "daily digest queued" if created else "daily digest already queued", user_id=user_id, day=day
        )
        return created
