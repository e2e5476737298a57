"""schemathesis over the notifications OpenAPI with a valid token: no answer is a server error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from cqrs_kit.testing import bearer, grant, isolated_settings
from cqrs_notifications.app import create_app

APP = create_app(isolated_settings("notifications"), send_emails=False)
HEADERS = bearer(grant("Service Management", "A81001"), grant("Supervisor", "QWE"))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(APP) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def schema(client: TestClient) -> Any:
    return schemathesis.openapi.from_dict(client.get("/api/notifications/openapi.json").json())


def test_no_route_answers_with_a_server_error(client: TestClient, schema: Any) -> None:
    for operation in schema.get_all_operations():
        strategy = operation.ok().as_strategy()

        @given(case=strategy)
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            response = client.request(
                case.method,
                case.formatted_path,
                params=case.query,
                headers={**(case.headers or {}), **HEADERS},
            )
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)

        check()
