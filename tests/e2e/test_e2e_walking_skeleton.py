"""Walking skeleton: an offer made in participation (the five steps) becomes a Message Centre task in
notifications, through the outbox, Kafka and the notifications consumer."""

from typing import Any

from cqrs_kit.app import runtime_of
from cqrs_kit.testing import (
    bearer,
    eventually,
    grant,
    isolated_settings,
    new_ods_code,
    organisation,
    running_app,
    seed_directory,
    skip_all_history,
)
from cqrs_notifications.app import create_app as notifications_app
from cqrs_participation.app import create_app as participation_app
from cqrs_participation.testing import offer_to, seed_offer_directory, service_definition

API = "/api/participation"
COMMISSIONER = bearer(grant("Commissioning Management", "QWE"))


async def test_offer_becomes_a_task_for_the_provider() -> None:
    provider = new_ods_code("P")
    participation_service = participation_app(isolated_settings("participation"))
    notifications_asgi = notifications_app(isolated_settings("notifications"))
    for service in (participation_service, notifications_asgi):
        await skip_all_history(service)  # only what this test publishes
    async with (
        running_app(participation_service) as participation,
        running_app(notifications_asgi) as notifications,
    ):
        await seed_offer_directory(runtime_of(participation_service).directory, provider)
        participation.headers.update(COMMISSIONER)
        await seed_directory(
            runtime_of(notifications_asgi).directory, [organisation(provider, "GP Practice")]
        )
        notifications.headers.update(bearer(grant("Service Management", provider)))
        offer = await offer_to(participation, API, "QWE", provider)
        assert offer["status"] == "Offered"

        async def tasks() -> list[dict[str, Any]]:
            response = await notifications.get("/api/notifications/tasks", params={"organisation": provider})
            result: list[dict[str, Any]] = response.json()["items"]
            return result

        found = await eventually(tasks, timeout=30)
        assert len(found) == 1
        assert found[0]["subject_id"] == offer["offer_id"]
        assert (found[0]["kind"], found[0]["category"]) == ("task", "offer-to-answer")


async def test_bad_service_is_refused_and_nothing_is_saved() -> None:
    settings = isolated_settings("participation")
    app = participation_app(settings)
    async with running_app(app) as participation:
        await seed_offer_directory(runtime_of(app).directory)
        participation.headers.update(COMMISSIONER)
        bad_year = await participation.post(
            f"{API}/quality-services", json=service_definition("QWE", financial_year="2025/27")
        )
        assert bad_year.status_code == 422
        errors = {e["field"]: e["message"] for e in bad_year.json()["errors"]}
        assert "financial year must look like 2025/26" in errors["financial_year"]
        reversed_dates = service_definition("QWE", end_date="2000-01-01")
        refused = await participation.post(f"{API}/quality-services", json=reversed_dates)
        assert refused.status_code == 422
        assert "end_date must be on or after start_date" in refused.json()["detail"]
        elsewhere = await participation.post(f"{API}/quality-services", json=service_definition("QXX"))
        assert elsewhere.status_code == 403
        count = await runtime_of(app).mongo.collection("quality_services").count_documents({})
    assert count == 0
