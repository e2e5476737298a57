"""schemathesis over the achievement and declaration routes, with valid tokens: no 5xx, ever."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from cqrs_kit.testing import bearer, grant

from .achievement_stack import API, claims_app, extraction

EVERY_ROLE = bearer(
    *(
        grant(role, "X26")
        for role in (
            "View",
            "Commissioning Management",
            "Declaration Management",
            "Approval Management",
            "Finance Management",
            "PCN Organisation",
        )
    )
)
CASES_PER_OPERATION = 25


def cases(raw_schema: dict[str, Any]) -> list[Any]:
    """Generate requests for every achievement and declaration operation (no network here)."""
    schema = schemathesis.openapi.from_dict(raw_schema)
    made: list[Any] = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        if not operation.path.startswith((f"{API}/achievement", f"{API}/declarations")):
            continue

        @settings(
            max_examples=CASES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy())
        def collect(case: Any) -> None:
            made.append(case)

        collect()
    return made


async def test_no_route_answers_5xx_to_generated_requests() -> None:
    async with claims_app() as claims:
        service = await claims.national_service(level="pcn")
        await claims.deliver(extraction(service, "A81001"))
        generated = cases(await _openapi(claims))
        assert len(generated) >= 8 * 5
        failures = []
        for case in generated:
            kwargs = case.as_transport_kwargs(base_url="http://test", headers=EVERY_ROLE)
            try:
                response = await claims.client.request(
                    kwargs["method"],
                    kwargs["url"],
                    params=kwargs.get("params"),
                    headers=kwargs.get("headers"),
                    json=kwargs.get("json"),
                    content=kwargs.get("data") if isinstance(kwargs.get("data"), str | bytes) else None,
                )
            except Exception as exc:  # the in-process transport re-raises what became a 500
                failures.append(f"{case.method} {case.formatted_path} {kwargs.get('params')} → {exc!r}"[:300])
                continue
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {kwargs.get('params')} → {response.status_code}"
                )
        assert not failures, "\n".join(failures)


async def _openapi(claims: Any) -> dict[str, Any]:
    response = await claims.client.get(f"{API}/openapi.json")
    body: dict[str, Any] = response.json()
    return body
