"""Domain and validation errors become RFC 9457 problem details naming the field."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from cqrs_kit.errors import DomainError, NotFound, VersionConflict, install_problem_handlers


class Body(BaseModel):
    units: int = Field(ge=0)


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/claims")
    async def create(body: Body) -> dict[str, int]:
        if body.units > 100:
            raise DomainError("no more than 100 units may be claimed", field="units")
        return {"units": body.units}

    @app.get("/missing")
    async def missing() -> None:
        raise NotFound("no claim C9")

    @app.get("/conflict")
    async def conflict() -> None:
        raise VersionConflict("changed by someone else")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    return app


def test_validation_error_names_the_field() -> None:
    response = TestClient(_app()).post("/claims", json={"units": -1})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["errors"][0]["field"] == "units"
    assert "greater than or equal to 0" in body["errors"][0]["message"]


def test_domain_errors_map_to_their_status() -> None:
    client = TestClient(_app())
    rule = client.post("/claims", json={"units": 101}).json()
    assert rule["status"] == 422
    assert rule["errors"] == [{"field": "units", "message": "no more than 100 units may be claimed"}]
    assert client.get("/missing").status_code == 404
    assert client.get("/conflict").json()["title"] == "Conflict"


def test_unexpected_errors_do_not_leak_internals() -> None:
    response = TestClient(_app(), raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert "secret" not in response.text
