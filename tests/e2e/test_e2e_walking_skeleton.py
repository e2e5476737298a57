"""Walking skeleton: an offer made in participation becomes a Message Centre task in notifications,
through the outbox, Kafka and the notifications consumer."""

from typing import Any

import httpx

from cqrs_contracts.events import OfferMade
from cqrs_kit.app import runtime_of
from cqrs_kit.testing import (
    bearer,
    eventually,
    grant,
    isolated_settings,
    new_ods_code,
    offer_request,
    organisation,
    running_app,
    seed_directory,
    skip_history,
)
from cqrs_notifications.app import create_app as notifications_app
from cqrs_participation.app import create_app as participation_app


def offer_body(provider: str) -> dict[str, Any]:
    return offer_request(provider, "QS-SKELETON")


def new_provider() -> str:
    return new_ods_code("P")


COMMISSIONER = bearer(grant("Commissioning Management", "QWE"))


async def test_offer_becomes_a_task_for_the_provider() -> None:
    provider = new_provider()
    notifications_settings = isolated_settings("notifications")
    await skip_history(notifications_settings.group, OfferMade.topic)
    notifications_asgi = notifications_app(notifications_settings)
    async with (
        running_app(participation_app(isolated_settings("participation"))) as participation,
        running_app(notifications_asgi) as notifications,
    ):
        participation.headers.update(COMMISSIONER)
        await seed_directory(
            runtime_of(notifications_asgi).directory, [organisation(provider, "GP Practice")]
        )
        notifications.headers.update(bearer(grant("Service Management", provider)))
        made = await participation.post("/api/participation/offers", json=offer_body(provider))
        assert made.status_code == 201, made.text
        offer = made.json()
        assert offer["status"] == "Offered"

        async def tasks() -> list[dict[str, Any]]:
            response = await notifications.get("/api/notifications/tasks", params={"organisation": provider})
            result: list[dict[str, Any]] = response.json()["items"]
            return result

        found = await eventually(tasks, timeout=30)
        assert len(found) == 1
        assert found[0]["subject_id"] == offer["offer_id"]
        assert found[0]["kind"] == "offer-to-answer"
        assert (await participation.get(f"/api/participation/offers/{offer['offer_id']}")).json() == offer


async def test_bad_offer_is_refused_and_nothing_is_saved() -> None:
    provider = new_provider()
    settings = isolated_settings("participation")
    async with running_app(participation_app(settings)) as participation:
        participation.headers.update(COMMISSIONER)
        body = {**offer_body(provider), "financial_year": "2025/27"}
        refused = await participation.post("/api/participation/offers", json=body)
        assert refused.status_code == 422
        errors = {e["field"]: e["message"] for e in refused.json()["errors"]}
        assert "financial year must look like 2025/26" in errors["financial_year"]
        reversed_dates = {**offer_body(provider), "service_start": "2026-04-01"}
        refused = await participation.post("/api/participation/offers", json=reversed_dates)
        assert refused.status_code == 422
        assert "service_end must be on or after service_start" in refused.json()["detail"]
        self_offer = await participation.post("/api/participation/offers", json={**offer_body("QWE")})
        assert self_offer.status_code == 422
        assert "cannot offer a service to itself" in self_offer.json()["detail"]
    from pymongo import AsyncMongoClient  # noqa: PLC0415

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url)
    assert await client[settings.database_name]["offers"].count_documents({}) == 0
    await client.close()


async def test_gateway_routes_every_service(infra: dict[str, str]) -> None:
    gateway = httpx.AsyncClient(base_url="http://127.0.0.1:8080", timeout=5)
    async with gateway:
        health = await gateway.get("/gateway/healthz")
        assert health.status_code == 200
        unknown = await gateway.get("/api/nowhere/healthz")
        assert unknown.status_code == 404
