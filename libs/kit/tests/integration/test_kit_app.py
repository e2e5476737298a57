"""The app factory on the real stack: health, readiness per dependency, OpenAPI and AsyncAPI."""

from cqrs_kit.mongo import Mongo
from cqrs_kit.testing import isolated_settings, running_app, skip_all_history
from cqrs_notifications.app import create_app


async def test_health_readiness_and_documents() -> None:
    app = create_app(isolated_settings("notifications"))
    await skip_all_history(app)  # a fresh group working through the session's events is slow to stop
    async with running_app(app) as client:
        assert (await client.get("/api/notifications/healthz")).json()["status"] == "alive"
        ready = await client.get("/api/notifications/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "broker": "ok", "consumer": "ok"}
        openapi = (await client.get("/api/notifications/openapi.json")).json()
        assert "/api/notifications/tasks" in openapi["paths"]
        asyncapi = (await client.get("/api/notifications/asyncapi.json")).json()
        assert any("cqrs.participation.offer" in str(channel) for channel in asyncapi["channels"].values())
        echoed = await client.get("/api/notifications/healthz", headers={"X-Correlation-Id": "abc"})
        assert echoed.headers["X-Correlation-Id"] == "abc"


async def test_database_check_reports_an_unreachable_server() -> None:
    mongo = Mongo("mongodb://127.0.0.1:1/", "nowhere", timeout_ms=300)
    reason = await mongo.ping()
    assert reason is not None
    assert reason.startswith("database unreachable")
    await mongo.close()
