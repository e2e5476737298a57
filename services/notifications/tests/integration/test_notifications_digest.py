"""The daily digest on the real stack: a user who chose it gets no email per item, then one email
the next morning listing their new messages and still-open tasks; a repeated round or event sends
nothing more; a colleague who did not choose it is emailed item by item as before."""

from __future__ import annotations

import datetime as dt

from cqrs_contracts.events import OfferAccepted, OfferWithdrawn
from cqrs_kit import clock
from cqrs_kit.testing import eventually, offer_made
from cqrs_kit.testing_mail import body_of
from cqrs_notifications.app import CENTRE, DISPATCHER
from cqrs_notifications.centre import MessageCentre
from cqrs_notifications.digest import digest_day

from .conftest import Centre

NOW = dt.datetime.now(dt.UTC)


async def test_a_digest_user_gets_one_email_a_day_without_tasks_already_done(centre: Centre) -> None:
    provider = centre.orgs["P1"]
    digest_user = await centre.user(("Service Management", provider), daily_digest=True)
    colleague = await centre.user(("Service Management", provider))
    answered, waiting, withdrawn = (
        offer_made(provider_organisation_id=provider, quality_service_id=name)
        for name in ("QS-ANSWERED", "QS-WAITING", "QS-WITHDRAWN")
    )
    for offer in (answered, waiting, withdrawn):
        await centre.deliver(offer)
    ids = {"commissioner_organisation_id", "provider_organisation_id", "financial_year"}
    common = answered.model_dump(include={"offer_id", "quality_service_id", *ids})
    await centre.deliver(OfferAccepted(**common, accepted_by=colleague.user_id, accepted_at=NOW))
    gone = withdrawn.model_dump(include={"offer_id", "quality_service_id", *ids})
    repeated = await centre.deliver(
        OfferWithdrawn(**gone, reason="Offered in error", withdrawn_by="c", withdrawn_at=NOW)
    )
    await centre.deliver(
        OfferWithdrawn(**gone, reason="Offered in error", withdrawn_by="c", withdrawn_at=NOW), repeated
    )

    await centre.send_due_emails()
    assert len(await eventually(lambda: _at_least(centre, colleague, 4), timeout=10)) == 4
    assert await centre.mails(digest_user) == []  # today: nothing one by one

    digests = _centre(centre).digests
    _, due = digest_day(clock.now())
    assert await digests.queue_due(due - dt.timedelta(minutes=1)) == 0  # not before 07:00 tomorrow
    await centre.runtime.extras[DISPATCHER].send_due(due)  # tomorrow morning's round
    assert await digests.queue_due(due) == 0  # a repeated round queues nothing
    [mail] = await eventually(lambda: centre.mails(digest_user), timeout=10)
    body = body_of(mail)
    assert f"Task: Review the offer of Quality Service {waiting.quality_service_id}" in body
    assert f"Message: The offer of Quality Service {withdrawn.quality_service_id} was withdrawn" in body
    assert body.count("Message:") == 1  # the repeated withdrawal is one entry
    assert answered.quality_service_id not in body  # answered by the colleague: nothing to do
    assert len(await centre.mails(colleague)) == 4


async def _at_least(centre: Centre, user: object, count: int) -> list[object]:
    mails = await centre.mails(user)  # type: ignore[arg-type]
    return mails if len(mails) >= count else []


def _centre(centre: Centre) -> MessageCentre:
    found: MessageCentre = centre.runtime.extras[CENTRE]
    return found
