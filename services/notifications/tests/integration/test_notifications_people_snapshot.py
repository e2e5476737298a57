"""Recipients come from an in-process snapshot of the people read model; a write made by another
process (here: the app's own consumer, read from a second People, as another replica would) is
seen by the next question, including a revoked access and a changed preference, while a question
asked with nothing changed returns the same snapshot."""

from __future__ import annotations

import datetime as dt

from cqrs_contracts.events.identity import AccessRevoked, NotificationPreferencesChanged
from cqrs_kit.testing import offer_made
from cqrs_notifications.people import People

from .conftest import Centre


async def test_another_process_sees_each_change_at_its_next_question(centre: Centre) -> None:
    provider = centre.orgs["P3"]
    replica = People(centre.runtime.mongo)
    before = await replica.snapshot()
    assert before.holding(("Service Management",), [provider]) == []

    manager = await centre.user(("Service Management", provider))
    seen = await replica.snapshot()
    assert seen is not before  # the change log made it refresh
    [held] = seen.holding(("Service Management",), [provider])
    assert (held.user_id, seen.person(manager.user_id).email) == (manager.user_id, manager.email)  # type: ignore[union-attr]
    again = await replica.snapshot()  # the same snapshot unless something changed meanwhile (other
    assert again is seen or again.version != seen.version  # sessions' live identity events do)

    now = dt.datetime.now(dt.UTC)
    await centre.deliver(
        NotificationPreferencesChanged(
            user_id=manager.user_id,
            email=manager.email,
            task_emails=False,
            message_emails=True,
            changed_at=now,
        )
    )
    assert (await replica.snapshot()).person(manager.user_id).task_emails is False  # type: ignore[union-attr]
    await centre.deliver(
        AccessRevoked(
            user_id=manager.user_id, organisation_ods_code=provider, revoked_by="admin", revoked_at=now
        )
    )
    assert (await replica.snapshot()).holding(("Service Management",), [provider]) == []

    # and the Message Centre, asking its own snapshot, mails nobody about a new offer there
    await centre.deliver(offer_made(provider_organisation_id=provider))
    assert await centre.outbox().by_status("pending") == 0
