"""The use case behind every subscription: apply the routing table to one event.

For each row that applies: record the closures it makes (by subject, so a task that arrives later
is born closed), store the item it creates (id derived from the event, so a repeat stores
nothing new), and queue one email per recipient whose preferences want it (ids derived from the
event and recipient, so a repeat queues nothing new). Running the whole handler again after a
crash anywhere in it therefore finishes the work without doubling any of it.
"""

from __future__ import annotations

import datetime as dt

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events.base import Event
from cqrs_kit import clock
from cqrs_kit.grants import OrganisationSnapshot
from cqrs_kit.idempotency import derived_id
from cqrs_kit.logs import get_logger
from cqrs_kit.mail_outbox import MailDispatcher, QueuedMail, Rendered
from cqrs_kit.runtime import Runtime
from cqrs_notifications.digest import DigestEntry, Digests, digest_day
from cqrs_notifications.mailbox import Outbox
from cqrs_notifications.people import People, Person
from cqrs_notifications.people_snapshot import PeopleSnapshot
from cqrs_notifications.routing import Row, ToPerson, ToRole, rows_for
from cqrs_notifications.store import Closure, Item, ItemStore

log = get_logger(__name__)

TEMPLATES = Environment(
    loader=PackageLoader("cqrs_notifications", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
"""One Jinja2 template pair (.txt and .html) per category of item, sharing two base layouts."""


def render(item: Item, event: Event, person: Person) -> tuple[str, str, str]:
    """Subject, plain text and HTML of the email telling one person about one item."""
    context = {"item": item, "event": event, "person": person}
    text = TEMPLATES.get_template(f"{item.category}.txt").render(context)
    html = TEMPLATES.get_template(f"{item.category}.html").render(context)
    return f"CQRS: {item.title}", text, html


def render_digest(name: str, day: str, entries: list[dict[str, object]]) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one person's daily digest."""
    context = {"name": name, "day": dt.date.fromisoformat(day), "entries": entries}
    text = TEMPLATES.get_template("daily-digest.txt").render(context)
    html = TEMPLATES.get_template("daily-digest.html").render(context)
    return f"CQRS: your daily summary ({len(entries)} new)", text, html


class MessageCentre:
    """Items, closures and emails for the events of the routing table."""

    def __init__(self, runtime: Runtime, people: People, outbox: Outbox, dispatcher: MailDispatcher | None):
        self.runtime = runtime
        self.items = ItemStore(runtime.mongo)
        self.people, self.outbox, self.dispatcher = people, outbox, dispatcher
        self.digests = Digests(runtime.mongo, outbox, render_digest)

    async def handle(self, event: Event, envelope: Envelope) -> None:
        """Apply every row of the table that matches the event."""
        for row in rows_for(event):
            subject = row.subject(event)
            for category in row.closes:
                closure = Closure(
                    subject_id=subject, category=category, at=envelope.time, event_id=envelope.id
                )
                await self.items.record_closure(closure, derived_id(envelope.id, f"closure:{category}"))
            if row.creates is not None:
                await self._create(row, event, envelope, subject)

    async def _create(self, row: Row, event: Event, envelope: Envelope, subject: str) -> None:
        item = self._item(row, event, envelope, subject)
        created = await self.items.add(item)
        if item.kind == "task":
            # Checked after storing, so a closure recorded before or while the task was stored
            # closes it (and then nobody is asked by email to do what is already done).
            when = await self.items.closed_at(subject, item.category, item.created_at)
            if when is not None:
                await self.items.close_open(subject, item.category, when)
                return
        emails, entries = [], []
        for person in await self._recipients(row, event, item):
            wants = person.task_emails if item.kind == "task" else person.message_emails
            if not wants or person.disabled or not person.email:
                continue
            if person.daily_digest:
                entries.append(self._digest_entry(item, person, envelope))
            else:
                emails.append(self._email(item, event, person, envelope))
        await self.digests.add_many(entries)  # one write for all recipients, and one for their emails
        queued = await self.outbox.queue_many(emails)
        log.info("item stored" if created else "item already stored", item_id=item.item_id, emails=queued)
        if queued and self.dispatcher is not None:
            self.dispatcher.wake()

    def _item(self, row: Row, event: Event, envelope: Envelope, subject: str) -> Item:
        audience = row.audience
        assert row.creates is not None
        assert audience is not None
        return Item(
            item_id=derived_id(envelope.id, f"item:{row.kind}"),
            kind=row.creates,
            category=row.kind,
            title=row.title(event),
            organisation=audience.organisation(event) if isinstance(audience, ToRole) else None,
            roles=list(audience.roles_for(event)) if isinstance(audience, ToRole) else [],
            payment_type=audience.payment_type(event) if isinstance(audience, ToRole) else None,
            user_id=audience.user_id(event) if isinstance(audience, ToPerson) else None,
            subject_id=subject,
            source_event_id=envelope.id,
            created_at=envelope.time,
            status="open" if row.creates == "task" else "sent",
        )

    async def _recipients(self, row: Row, event: Event, item: Item) -> list[Person]:
        audience = row.audience
        people = await self.people.snapshot()
        if isinstance(audience, ToPerson):
            known = people.person(audience.user_id(event))
            person = known or Person(user_id=audience.user_id(event))
            address = audience.email(event) or person.email
            return [person.model_copy(update={"email": address})] if address else []
        assert isinstance(audience, ToRole)
        assert item.organisation is not None
        snapshot = await self.runtime.directory.snapshot()
        roles = audience.roles_for(event)
        return role_holders(people, snapshot, roles, item.organisation, item.payment_type)

    @staticmethod
    def _digest_entry(item: Item, person: Person, envelope: Envelope) -> DigestEntry:
        day, due = digest_day(clock.now())  # arrival, not event time: a late event joins an open day
        return DigestEntry(
            entry_id=derived_id(envelope.id, f"digest:{item.category}:{person.user_id}"),
            user_id=person.user_id,
            to=person.email,
            name=person.name,
            item_id=item.item_id,
            kind=item.kind,
            title=item.title,
            day=day.isoformat(),
            send_after=due,
        )

    @staticmethod
    def _email(item: Item, event: Event, person: Person, envelope: Envelope) -> QueuedMail:
        subject, text, html = render(item, event, person)
        return QueuedMail.new(
            derived_id(envelope.id, f"email:{item.category}:{person.user_id}"),
            person.email,
            item.category,
            envelope.time,
            rendered=Rendered(subject=subject, text=text, html=html),
            params={"item_id": item.item_id},
            user_id=person.user_id,
        )


def role_holders(
    people: PeopleSnapshot,
    snapshot: OrganisationSnapshot,
    roles: tuple[str, ...],
    organisation: str,
    payment_type: str | None = None,
) -> list[Person]:
    """Enabled users holding one of the roles with authority over the organisation, decided per
    grant by the kit's rule (role at the organisation or above, within that grant's clusters and
    payment types)."""
    chain = [*snapshot.ancestors(organisation), organisation]
    allowed: set[str] = set()
    for membership in people.holding(roles, chain):
        grants = [membership.grant(r) for r in roles if r in membership.roles]
        if snapshot.may(grants, roles, organisation, payment_type=payment_type):
            allowed.add(membership.user_id)
    found = [people.person(user_id) for user_id in sorted(allowed)]
    return [p for p in found if p is not None and not p.disabled]
