"""schemathesis over identity's OpenAPI (the in-process app on the real stack, demo data loaded)
with valid tokens of several roles: no answer is a server error, every status answered is one the
route documents, every problem names its kind, and every operation has an operationId."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cqrs_identity.app import create_app
from cqrs_identity.demo import load_demo
from cqrs_identity.demo_data import DEMO_PASSWORD, DOMAIN
from cqrs_kit.app import runtime_of
from cqrs_kit.testing import isolated_settings

pytestmark = pytest.mark.integration
API = "/api/identity"
ROLES = {
    "Advanced User Administrator at NHS England": "ada.advanced-admin",
    "User Administrator at an ICB": "uma.user-admin",
    "Organisation Administrator at an ICB": "omar.org-admin",
    "User Administrator limited to a cluster": "carl.cluster-admin",
    "Service Management at a practice": "sam.service-manager",
    "View at an ICB": "victor.viewer",
}
SKIPPED = {"disable_me", "logout", "change_password"}
"""Operations that end the fuzzing caller's own session (covered by their own tests)."""


@pytest.fixture(scope="module")
def client(infra: dict[str, str]) -> Iterator[TestClient]:
    settings_ = isolated_settings("identity")
    app = create_app(settings_)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        runtime = runtime_of(app)
        assert test_client.portal is not None
        test_client.portal.call(load_demo, runtime)
        yield test_client
        test_client.portal.call(runtime.mongo.client.drop_database, settings_.database_name)


@pytest.fixture(scope="module")
def tokens(client: TestClient) -> dict[str, dict[str, str]]:
    found = {}
    for role, local in ROLES.items():
        response = client.post(f"{API}/login", json={"email": f"{local}@{DOMAIN}", "password": DEMO_PASSWORD})
        assert response.status_code == 200, response.text
        found[role] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return found


@pytest.fixture(scope="module")
def openapi(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get(f"{API}/openapi.json").json()
    return document


def test_every_operation_is_named_and_documents_its_problems(openapi: dict[str, Any]) -> None:
    operations = [(p, m, op) for p, item in openapi["paths"].items() for m, op in item.items()]
    ids = [op.get("operationId") for _, _, op in operations]
    assert None not in ids
    assert len(ids) == len(set(ids)), "operation ids are unique"
    for path, method, op in operations:
        statuses = set(op["responses"])
        if op.get("security"):
            assert {"401", "403"} <= statuses, (method, path)
        if "{" in path:
            assert "404" in statuses, (method, path)
    assert {"412", "428"} <= set(openapi["paths"]["/api/identity/clusters/{cluster_id}"]["put"]["responses"])
    assert "429" in openapi["paths"]["/api/identity/login"]["post"]["responses"]


def test_no_route_fails_or_answers_an_undocumented_status(
    client: TestClient, tokens: dict[str, dict[str, str]], openapi: dict[str, Any]
) -> None:
    schema = schemathesis.openapi.from_dict(openapi)
    answered: dict[str, set[int]] = {}
    wrong: dict[str, str] = {}
    for operation in schema.get_all_operations():
        op = operation.ok()  # type: ignore[union-attr]  # an Err (invalid operation) raises here
        if op.definition.raw.get("operationId") in SKIPPED:
            continue
        _fuzz(client, op, tokens, answered, wrong)()
    assert not wrong, "\n".join(wrong.values())
    assert len(answered) >= 40
    assert any(400 <= s < 500 for statuses in answered.values() for s in statuses)


def _fuzz(
    client: TestClient,
    op: Any,
    tokens: dict[str, dict[str, str]],
    answered: dict[str, set[int]],
    wrong: dict[str, str],
) -> Any:
    """A hypothesis test of one operation, called as each role in turn."""
    documented = {int(s) for s in op.definition.raw["responses"] if s.isdigit()}

    @given(case=op.as_strategy(), who=st.sampled_from(sorted(tokens)))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case: Any, who: str) -> None:
        response = client.request(
            case.method,
            case.formatted_path,
            params=case.query,
            json=case.body if isinstance(case.body, (dict, list)) else None,
            headers={**(case.headers or {}), **tokens[who]},
        )
        answered.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)
        where = f"{case.method} {case.path} -> {response.status_code} as {who}: {response.text[:200]}"
        if response.status_code >= 500 or response.status_code not in documented:
            wrong.setdefault(f"{case.method} {case.path} {response.status_code}", where)
        elif response.status_code >= 400 and not response.json()["type"].startswith("urn:cqrs:problem:"):
            wrong.setdefault(f"{case.method} {case.path} untyped", where)

    return check
