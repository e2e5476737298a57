"""Message Centre tasks from OfferMade: one per event however often it arrives, newest first."""

from cqrs_contracts.envelope import envelope_for
from cqrs_contracts.events import OfferMade
from cqrs_kit.app import runtime_of
from cqrs_kit.testing import bearer, grant, isolated_settings, new_ods_code, offer_made, running_app
from cqrs_notifications.app import create_app

USER = bearer(grant("View", "QWE"))


def offer(provider: str, service: str) -> OfferMade:
    return offer_made(quality_service_id=service, provider_organisation_id=provider)


async def test_repeated_event_gives_one_task_and_tasks_list_newest_first() -> None:
    provider = new_ods_code("N")
    app = create_app(isolated_settings("notifications"))
    async with running_app(app) as client:
        client.headers.update(USER)
        runtime = runtime_of(app)  # the handler under test, with its real store
        handler = runtime.consumer._handlers[OfferMade.topic][OfferMade.ce_type()]
        first, second = offer(provider, "QS-A"), offer(provider, "QS-B")
        first_envelope = envelope_for(first, source="/test", correlation_id="c")
        await handler(first, first_envelope)
        await handler(first, first_envelope)  # the same event again
        await handler(second, envelope_for(second, source="/test", correlation_id="c"))
        tasks = (await client.get("/api/notifications/tasks", params={"organisation": provider})).json()
        assert [t["subject_id"] for t in tasks] == [second.offer_id, first.offer_id]
        assert tasks[1]["title"] == "Review the offer of Quality Service QS-A"


async def test_task_list_refuses_a_bad_organisation_code() -> None:
    async with running_app(create_app(isolated_settings("notifications"))) as client:
        client.headers.update(USER)
        refused = await client.get("/api/notifications/tasks", params={"organisation": "not an ods code"})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "query.organisation"
