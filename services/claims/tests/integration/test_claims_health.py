"""The claims service runs on the real stack: alive, ready per dependency, documented."""

from cqrs_claims.app import create_app
from cqrs_kit.testing import isolated_settings, running_app, skip_all_history


async def test_claims_is_alive_ready_and_documented() -> None:
    app = create_app(isolated_settings("claims"))
    await skip_all_history(app)  # ready means caught up: with only what this test publishes
    async with running_app(app) as client:
        health = (await client.get("/api/claims/healthz")).json()
        assert (health["status"], health["service"], health["version"]) == ("alive", "claims", "0.1.0")
        ready = await client.get("/api/claims/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {
            "database": "ok",
            "broker": "ok",
            "object_store": "ok",
            "consumer": "ok",
        }
        assert (await client.get("/api/claims/openapi.json")).json()["info"]["title"] == "CQRS claims"
        assert (await client.get("/api/claims/asyncapi.json")).status_code == 200
