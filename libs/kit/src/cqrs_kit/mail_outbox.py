"""Emails queued by an event and sent in the background through the kit's mail adapter: the one
mail queue of every service (identity's link mails, notifications' Message Centre emails).

Never twice for one cause, and never lost while the mail server is down:

1. A consumer queues a mail by inserting it with an id derived from the event that caused it
   (``cqrs_kit.idempotency.derived_id``). A repeated event hits the unique ``_id``: no second mail.
   ``queue_many`` stores one event's mails in one write, with the same rule per mail.
2. What is stored is a template name and its parameters; the ``render`` callable the service gives
   turns them into subject, text and HTML at send time. A mail whose body holds a secret (a link
   that sets a password) therefore never rests in the database: the service derives the secret
   again when it renders. A service whose mails hold no secret may store them written already
   (``rendered=``) and give no render step.
3. Before handing a mail over, the dispatcher inserts a *send claim* with the mail's id: only one
   process can, so only one process sends it. Unreachable or "try later": nothing was sent, the
   claim is released, the mail retried with exponential backoff, and the round stops (the other
   mails would meet the same server) until the loop's own backoff ends. Sent: marked sent.
4. Outcome unknown (the connection broke mid-send, or the process died holding a claim older than
   the lease): marked ``uncertain`` and logged, NOT resent. A duplicate is what people notice; the
   Message-ID derived from the mail id lets a relay drop an operator's resend.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from pydantic import BaseModel, Field
from pymongo.errors import DuplicateKeyError

from cqrs_kit import clock
from cqrs_kit.idempotency import insert_new
from cqrs_kit.logs import get_logger
from cqrs_kit.mail import Mailer, MailOutcomeUnknown, MailRejected, MailUnavailable
from cqrs_kit.mongo import TRANSIENT_MONGO_ERRORS, Collection, Index, Mongo

log = get_logger(__name__)

MAILS = "mail_outbox"
CLAIMS = "mail_send_claims"
LEASE = dt.timedelta(minutes=2)
"""How long a send may take before its claim is taken as a crash (the SMTP client times out at 10 s)."""

MailStatus = Literal["pending", "sent", "rejected", "uncertain"]


def indexes(mails: str = MAILS) -> list[Index]:
    """What a mail queue needs (give the collection name when a service keeps its own)."""
    return [Index(mails, ["status", "next_attempt_at"])]


INDEXES = indexes()


class Rendered(BaseModel):
    """A mail ready to hand over."""

    subject: str
    text: str
    html: str | None = None


class QueuedMail(BaseModel):
    """One mail to one address because of one event: a template and its (non-secret) parameters,
    or the mail written already."""

    mail_id: str
    to: str
    template: str
    params: dict[str, Any] = Field(default_factory=dict)
    rendered: Rendered | None = None
    user_id: str | None = None
    status: MailStatus = "pending"
    attempts: int = 0
    next_attempt_at: dt.datetime
    created_at: dt.datetime
    sent_at: dt.datetime | None = None
    error: str | None = None

    @classmethod
    def new(
        cls, mail_id: str, to: str, template: str, at: dt.datetime | None = None, **fields: Any
    ) -> QueuedMail:
        """A pending mail, due at once (or from ``at``)."""
        at = at or clock.now()
        return cls(mail_id=mail_id, to=to, template=template, next_attempt_at=at, created_at=at, **fields)


def _doc(mail: QueuedMail) -> dict[str, Any]:
    return {"_id": mail.mail_id, **mail.model_dump(exclude={"mail_id"})}


def _mail(doc: dict[str, Any]) -> QueuedMail:
    return QueuedMail.model_validate({**doc, "mail_id": doc["_id"]})


Render = Callable[[QueuedMail], Awaitable[Rendered]]


class MailOutbox:
    """The queued mails and their send claims (collection names per service if it wants its own)."""

    def __init__(self, mongo: Mongo, *, mails: str = MAILS, claims: str = CLAIMS) -> None:
        self.mails: Collection = mongo.collection(mails)
        self.claims: Collection = mongo.collection(claims)

    async def queue(self, mail_id: str, to: str, template: str, params: dict[str, Any]) -> bool:
        """Queue a mail; False when this cause queued it before."""
        return await self.queue_many([QueuedMail.new(mail_id, to, template, params=params)]) == 1

    async def queue_many(self, mails: list[QueuedMail]) -> int:
        """Queue several mails in one write; how many were new (the rest were queued before)."""
        return await insert_new(self.mails, [_doc(m) for m in mails])

    async def due(self, now: dt.datetime, limit: int = 50) -> list[QueuedMail]:
        """Pending mails whose next attempt is due, oldest first."""
        cursor = self.mails.find({"status": "pending", "next_attempt_at": {"$lte": now}})
        return [_mail(d) async for d in cursor.sort("next_attempt_at", 1).limit(limit)]

    async def claim(self, mail_id: str, now: dt.datetime) -> bool:
        """Take the only right to send this mail (an insert: atomic across processes)."""
        try:
            await self.claims.insert_one({"_id": mail_id, "claimed_at": now})
        except DuplicateKeyError:
            return False
        return True

    async def claimed_at(self, mail_id: str) -> dt.datetime | None:
        """When someone claimed the mail, if anyone has."""
        doc = await self.claims.find_one({"_id": mail_id})
        return doc["claimed_at"] if doc else None

    async def release(self, mail_id: str) -> None:
        """Give the claim back: the mail was certainly not sent."""
        await self.claims.delete_one({"_id": mail_id})

    async def update(self, mail_id: str, **fields: Any) -> None:
        """Record an attempt's result."""
        await self.mails.update_one({"_id": mail_id}, {"$set": fields})

    async def get(self, mail_id: str) -> QueuedMail | None:
        """One queued mail."""
        doc = await self.mails.find_one({"_id": mail_id})
        return None if doc is None else _mail(doc)

    async def by_status(self, status: MailStatus) -> int:
        """How many mails have this status."""
        return await self.mails.count_documents({"status": status})


async def _stored(mail: QueuedMail) -> Rendered:
    if mail.rendered is None:
        msg = f"mail {mail.mail_id} was queued without its text and there is no render step"
        raise ValueError(msg)
    return mail.rendered


class MailDispatcher:
    """Sends due mails in the background, backing off while the mail service is unavailable."""

    def __init__(
        self,
        outbox: MailOutbox,
        mailer: Mailer,
        render: Render | None = None,
        *,
        poll_seconds: float,
        max_backoff: float,
        prepare: Callable[[dt.datetime], Awaitable[Any]] | None = None,
    ) -> None:
        self.outbox, self.mailer = outbox, mailer
        self.render: Render = render or _stored
        """Template and parameters -> the mail (mails queued written already need none)."""
        self.prepare = prepare
        """Called at the start of each round with its time (e.g. to queue a daily digest)."""
        self.poll_seconds, self.max_backoff = poll_seconds, max_backoff
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run in the background until stop()."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="mail-dispatcher")

    async def stop(self) -> None:
        """Stop the background loop."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """A mail was queued: look now instead of at the next poll."""
        self._wake.set()

    async def _run(self) -> None:
        delay = 0.0
        while True:
            self._wake.clear()
            try:
                reachable = await self.send_due() is not None
                delay = 0.0 if reachable else min(max(delay * 2, 0.1), self.max_backoff)
            except TRANSIENT_MONGO_ERRORS as exc:
                log.warning("database unavailable; mails wait", error=repr(exc))
                delay = min(max(delay * 2, 0.1), self.max_backoff)
            except Exception:
                log.exception("mail dispatcher round failed")
                delay = self.max_backoff
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay or self.poll_seconds)

    async def send_due(self, now: dt.datetime | None = None) -> int | None:
        """Try every mail due by ``now`` once; how many were sent, or None when the mail service
        was unavailable (the round stopped there: back off)."""
        now = now or clock.now()
        if self.prepare is not None:
            await self.prepare(now)
        sent = 0
        for mail in await self.outbox.due(now):
            outcome = await self._send_one(mail, now)
            if outcome is None:
                return None
            sent += outcome
        return sent

    async def _send_one(self, mail: QueuedMail, now: dt.datetime) -> int | None:
        if not await self.outbox.claim(mail.mail_id, now):
            claimed = await self.outbox.claimed_at(mail.mail_id)
            if claimed is not None and now - claimed > LEASE:
                await self.outbox.update(mail.mail_id, status="uncertain", error="claim outlived its lease")
                log.error("mail may or may not have been sent; not resending", mail_id=mail.mail_id)
            return 0
        attempts = mail.attempts + 1
        try:
            rendered = await self.render(mail)
        except Exception as exc:  # a mail that cannot be written is never sent, and said so
            await self.outbox.update(mail.mail_id, status="rejected", attempts=attempts, error=repr(exc))
            log.exception("mail could not be rendered", mail_id=mail.mail_id, template=mail.template)
            return 0
        try:
            await self.mailer.send(
                mail.to, rendered.subject, rendered.text, rendered.html, idempotency_key=mail.mail_id
            )
        except MailUnavailable as exc:
            # Released first: a crash in between leaves a mail tried again early, never a claim
            # that outlives its lease and turns a mail nobody sent into "uncertain".
            await self.outbox.release(mail.mail_id)
            backoff = min(self.max_backoff, 0.5 * 2 ** min(attempts, 16))
            await self.outbox.update(
                mail.mail_id,
                attempts=attempts,
                error=str(exc),
                next_attempt_at=clock.now() + dt.timedelta(seconds=backoff),
            )
            log.warning("mail server unavailable; will retry", mail_id=mail.mail_id, retry_in=backoff)
            return None
        except MailRejected as exc:
            await self.outbox.update(mail.mail_id, status="rejected", attempts=attempts, error=str(exc))
            log.error("mail refused for good", mail_id=mail.mail_id, error=str(exc))
            return 0
        except MailOutcomeUnknown as exc:
            await self.outbox.update(mail.mail_id, status="uncertain", attempts=attempts, error=str(exc))
            log.error("mail may or may not have been sent; not resending", mail_id=mail.mail_id)
            return 0
        await self.outbox.update(
            mail.mail_id, status="sent", attempts=attempts, sent_at=clock.now(), error=None
        )
        log.info("mail sent", mail_id=mail.mail_id, template=mail.template)
        return 1
