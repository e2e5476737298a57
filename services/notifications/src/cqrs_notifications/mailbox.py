"""Emails waiting to be sent, and the dispatcher that sends them through the kit's mail adapter.

Never twice for one event and recipient, and never lost while the mail server is down:

1. The consumer queues an email by inserting it with an id derived from (event, category,
   recipient). A repeated event derives the same id and hits the unique `_id`: no second email.
2. Before handing a queued email to the mail server, the dispatcher inserts a *send claim* with the
   email's id. Only one process can insert it, so only one process ever sends that email.
3. When the server could not be reached (or said "try later") nothing was sent: the claim is
   deleted and the email retried with exponential backoff. Sent: the email is marked sent.
4. When the outcome is unknown (the connection broke mid-send, or this process died between the
   claim and marking the result), the email is NOT sent again: it is marked ``uncertain`` once its
   claim is older than the lease, and logged for an operator. We choose at-most-once over
   at-least-once for that rare window, because a duplicate email is what users notice; the
   Message-ID derived from the email id lets a relay drop a resend if an operator retries it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError

from cqrs_kit import clock
from cqrs_kit.idempotency import insert_new
from cqrs_kit.logs import get_logger
from cqrs_kit.mail import Mailer, MailOutcomeUnknown, MailRejected, MailUnavailable
from cqrs_kit.mongo import TRANSIENT_MONGO_ERRORS, Collection, Index, Mongo

log = get_logger(__name__)

EMAILS = "emails"
SEND_CLAIMS = "email_send_claims"
INDEXES = [Index(EMAILS, ["status", "next_attempt_at"])]
LEASE = dt.timedelta(minutes=2)
"""How long a send may take before its claim is taken as a crash (the mail client times out at 10 s)."""

EmailStatus = Literal["pending", "sent", "rejected", "uncertain"]


class Email(BaseModel):
    """One email to one recipient because of one event."""

    email_id: str
    to: str
    subject: str
    text: str
    html: str | None = None
    category: str
    item_id: str
    user_id: str | None = None
    status: EmailStatus = "pending"
    attempts: int = 0
    next_attempt_at: dt.datetime
    created_at: dt.datetime
    sent_at: dt.datetime | None = None
    error: str | None = None


def _doc(email: Email) -> dict[str, Any]:
    return {"_id": email.email_id, **email.model_dump(exclude={"email_id"})}


class Outbox:
    """The emails collection and its send claims."""

    def __init__(self, mongo: Mongo) -> None:
        self.emails: Collection = mongo.collection(EMAILS)
        self.claims: Collection = mongo.collection(SEND_CLAIMS)

    async def queue(self, email: Email) -> bool:
        """Queue the email; False when it was queued before (a repeated event)."""
        try:
            await self.emails.insert_one(_doc(email))
        except DuplicateKeyError:
            return False
        return True

    async def queue_many(self, emails: list[Email]) -> int:
        """Queue several emails in one write; how many were new (the rest were queued before)."""
        return await insert_new(self.emails, [_doc(e) for e in emails])

    async def due(self, now: dt.datetime, limit: int = 50) -> list[Email]:
        """Pending emails whose next attempt is due, oldest first."""
        cursor = self.emails.find({"status": "pending", "next_attempt_at": {"$lte": now}})
        docs = [d async for d in cursor.sort("next_attempt_at", 1).limit(limit)]
        return [Email.model_validate({**d, "email_id": d["_id"]}) for d in docs]

    async def claim(self, email_id: str, now: dt.datetime) -> bool:
        """Take the only right to send this email (an insert: atomic across processes)."""
        try:
            await self.claims.insert_one({"_id": email_id, "claimed_at": now})
        except DuplicateKeyError:
            return False
        return True

    async def claimed_at(self, email_id: str) -> dt.datetime | None:
        """When someone claimed the email, if anyone has."""
        doc = await self.claims.find_one({"_id": email_id})
        return doc["claimed_at"] if doc else None

    async def release(self, email_id: str) -> None:
        """Give the claim back: the email was certainly not sent."""
        await self.claims.delete_one({"_id": email_id})

    async def update(self, email_id: str, **fields: Any) -> None:
        """Record an attempt's result."""
        await self.emails.update_one({"_id": email_id}, {"$set": fields})

    async def by_status(self, status: EmailStatus) -> int:
        """How many emails have this status."""
        return await self.emails.count_documents({"status": status})


class Dispatcher:
    """Sends due emails in the background, backing off while the mail service is unavailable."""

    def __init__(
        self,
        outbox: Outbox,
        mailer: Mailer,
        *,
        poll_seconds: float,
        max_backoff: float,
        prepare: Callable[[dt.datetime], Awaitable[Any]] | None = None,
    ) -> None:
        self.outbox, self.mailer, self.prepare = outbox, mailer, prepare
        self.poll_seconds, self.max_backoff = poll_seconds, max_backoff
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run in the background until stop()."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="email-dispatcher")

    async def stop(self) -> None:
        """Stop the background loop."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """An email was queued: look now instead of at the next poll."""
        self._wake.set()

    async def _run(self) -> None:
        delay = 0.0
        while True:
            self._wake.clear()
            try:
                delay = 0.0 if await self.send_due() else min(max(delay * 2, 0.1), self.max_backoff)
            except TRANSIENT_MONGO_ERRORS as exc:
                log.warning("database unavailable; emails wait", error=repr(exc))
                delay = min(max(delay * 2, 0.1), self.max_backoff)
            except Exception:
                log.exception("email dispatcher round failed")
                delay = self.max_backoff
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay or self.poll_seconds)

    async def send_due(self, now: dt.datetime | None = None) -> bool:
        """Send every email due by ``now`` once; False when the mail service was unavailable
        (back off). ``prepare`` (the daily digest) queues its emails first."""
        now = now or clock.now()
        if self.prepare is not None:
            await self.prepare(now)
        for email in await self.outbox.due(now):
            if not await self.outbox.claim(email.email_id, now):
                await self._settle_stale_claim(email, now)
                continue
            if not await self._send(email):
                return False
        return True

    async def _send(self, email: Email) -> bool:
        attempts = email.attempts + 1
        try:
            await self.mailer.send(
                email.to, email.subject, email.text, email.html, idempotency_key=email.email_id
            )
        except MailUnavailable as exc:
            backoff = dt.timedelta(seconds=min(2.0 ** (attempts - 1), self.max_backoff * 6))
            await self.outbox.update(
                email.email_id, attempts=attempts, next_attempt_at=clock.now() + backoff, error=str(exc)
            )
            await self.outbox.release(email.email_id)
            log.warning("mail service unavailable; email will be retried", email_id=email.email_id)
            return False
        except MailRejected as exc:
            await self.outbox.update(email.email_id, attempts=attempts, status="rejected", error=str(exc))
            log.warning("email refused by the mail service", email_id=email.email_id, error=str(exc))
            return True
        except MailOutcomeUnknown as exc:
            await self.outbox.update(email.email_id, attempts=attempts, status="uncertain", error=str(exc))
            log.error("email may or may not have been sent; not resending", email_id=email.email_id)
            return True
        await self.outbox.update(email.email_id, attempts=attempts, status="sent", sent_at=clock.now())
        log.info("email sent", email_id=email.email_id, category=email.category)
        return True

    async def _settle_stale_claim(self, email: Email, now: dt.datetime) -> None:
        """Someone claimed it and never said how it went: after the lease, call it uncertain."""
        claimed = await self.outbox.claimed_at(email.email_id)
        if claimed is not None and now - claimed > LEASE:
            await self.outbox.update(
                email.email_id, status="uncertain", error="a sender stopped after claiming it"
            )
            log.error("email claim abandoned; not resending", email_id=email.email_id)
