"""Schemathesis over participation's OpenAPI with valid tokens: no input makes it answer 5xx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy
from schemathesis import Case
from schemathesis.core.result import Ok

from cqrs_kit.runtime import Runtime
from cqrs_kit.testing import (
    ServiceProcess,
    bearer,
    free_port,
    grant,
    isolated_settings,
    seed_standard_tree,
)

from .conftest import CM, SM


@pytest.fixture(scope="module")
async def served(tmp_path_factory: pytest.TempPathFactory, infra: dict[str, str]) -> AsyncIterator[str]:
    """Participation as its own process on a free port, its Directory seeded first."""
    service_settings = isolated_settings("participation")
    runtime = Runtime.build(service_settings, outbox_collections=[])
    await seed_standard_tree(runtime.directory)
    process = ServiceProcess(
        "cqrs_participation.app",
        service_settings,
        free_port(),
        Path(tmp_path_factory.mktemp("logs")) / "p.log",
    )
    process.start()
    try:
        await process.wait_ready()
        yield f"http://127.0.0.1:{process.port}"
    finally:
        process.stop()
        await runtime.mongo.client.drop_database(service_settings.database_name)
        await runtime.mongo.close()


def test_no_operation_answers_a_server_error(served: str) -> None:
    schema = schemathesis.openapi.from_dict(httpx.get(f"{served}/api/participation/openapi.json").json())
    headers = bearer(grant(CM, "QWE"), grant(SM, "A81001"), grant("View", "X26"))
    failures: list[str] = []
    answered: set[int] = set()
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) >= 20

    for operation in operations:
        strategy: SearchStrategy[Case[Any]] = operation.as_strategy()

        @given(case=strategy)
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Case[Any]) -> None:
            response = case.call(base_url=served, headers=headers, timeout=30)
            answered.add(response.status_code)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}"
                )

        check()
    assert not failures, "\n".join(failures)
    assert {200, 422} <= answered, answered  # the tokens were accepted: requests reached the routes
