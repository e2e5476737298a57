"""schemathesis over claims' OpenAPI with valid tokens (no 5xx); repeated and late events change
nothing; a multi-level provider's User prepares and its Approver submits."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from cqrs_claims.harness import Stack, claims_stack
from cqrs_claims.testing import complex_care, depot, offer_accepted, published, quarter
from cqrs_contracts.envelope import from_kafka_headers
from cqrs_contracts.events import AttachmentStatusChanged, FileScanned, OfferCancelled
from cqrs_contracts.registry import deserialize
from cqrs_contracts.topics import CLAIMS_ATTACHMENT
from cqrs_kit.outbox import outbox_entries
from cqrs_kit.testing import eventually, read_topic, unique
from cqrs_scanning import samples

pytestmark = pytest.mark.integration
API = "/api/claims"


@pytest.fixture(scope="module")
async def stack(infra: dict[str, str]) -> AsyncIterator[Stack]:
    # No batch clock: after 15:00 it would take today's run before the test's own tick.
    async with claims_stack(claims_payment_tick_seconds=0) as running:
        yield running


async def _claim_with_service(stack: Stack, provider: str, headers: dict[str, str]) -> tuple[str, str]:
    service = depot([], service_id=unique("qs-depot")).model_copy(
        update={"commissioner_organisation_id": stack.commissioner}
    )
    await stack.offer(service, provider)

    async def offered() -> Any:
        answer = await stack.client.get(
            f"{API}/claims/availability", params={"provider_organisation_id": provider}, headers=headers
        )
        return service.quality_service_id in {s["quality_service_id"] for s in answer.json()["services"]}

    await eventually(offered)

    async def made() -> Any:
        answer = await stack.client.post(
            f"{API}/claims",
            json={"provider_organisation_id": provider, "commissioner_organisation_id": stack.commissioner},
            headers=headers,
        )
        return answer.json()["claim_id"] if answer.status_code == 201 else None

    claim_id: str = await eventually(made)
    return claim_id, service.quality_service_id


async def test_no_route_answers_5xx_to_generated_requests(stack: Stack) -> None:
    provider = stack.practices[0]
    headers = stack.user("Local User (single-level)", provider)
    await _claim_with_service(stack, provider, headers)
    schema = schemathesis.openapi.from_dict(stack.api.openapi())
    cases: list[Any] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def collect(case: Any) -> None:
            cases.append(case)

        collect()
    failures = []
    for case in cases:
        kwargs = case.as_transport_kwargs(base_url="http://test", headers=headers)
        kwargs.pop("cookies", None)
        answer = await stack.client.request(
            **{
                k: v
                for k, v in kwargs.items()
                if k in {"method", "url", "headers", "params", "json", "content", "data", "files"}
            }
        )
        if answer.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path}: {answer.status_code} {answer.text[:200]}")
    assert len(cases) > 50
    assert not failures, "\n".join(failures)


async def test_two_drafts_racing_for_one_window_cannot_both_take_it(stack: Stack) -> None:
    provider = stack.practices[1]
    headers = stack.user("Local User (single-level)", provider)
    today = dt.datetime.now(dt.UTC).date()
    service = complex_care([quarter(today, window_id=unique("q"))], service_id=unique("qs-race")).model_copy(
        update={"commissioner_organisation_id": stack.commissioner}
    )
    await stack.offer(service, provider)
    body = {"provider_organisation_id": provider, "commissioner_organisation_id": stack.commissioner}

    async def draft() -> Any:
        made = await stack.client.post(f"{API}/claims", json=body, headers=headers)
        return made.json()["claim_id"] if made.status_code == 201 else None

    drafts = [await eventually(draft), await eventually(draft), await eventually(draft)]
    for claim_id in drafts:
        added = await stack.client.post(f"{API}/claims/{claim_id}/services", json={}, headers=headers)
        assert added.is_success, added.text
    # Each draft saw the window free; all three add the components at once.
    answers = await asyncio.gather(
        *(stack.client.post(f"{API}/claims/{c}/components", json={}, headers=headers) for c in drafts)
    )
    holders = []
    for claim_id in drafts:
        claim = (await stack.client.get(f"{API}/claims/{claim_id}", headers=headers)).json()
        if claim["lines"]:
            holders.append(claim_id)
    assert len(holders) == 1, [a.text for a in answers]
    refused = [a for a in answers if not a.is_success]
    assert len(refused) == 2
    assert {(a.status_code, a.json()["title"]) for a in refused} == {(409, "Window already claimed")}
    # Deleting the holder lets the window go: another draft takes it.
    gone = await stack.client.delete(f"{API}/claims/{holders[0]}", headers=headers)
    assert gone.is_success, gone.text
    other = next(c for c in drafts if c != holders[0])
    taken = await stack.client.post(f"{API}/claims/{other}/components", json={}, headers=headers)
    assert taken.is_success, taken.text


async def test_a_repeated_scan_result_is_recorded_once(stack: Stack) -> None:
    provider = stack.practices[0]
    headers = stack.user("Local User (single-level)", provider)
    claim_id, service_id = await _claim_with_service(stack, provider, headers)
    chosen = await stack.client.post(
        f"{API}/claims/{claim_id}/services", json={"quality_service_id": service_id}, headers=headers
    )
    added = await stack.client.post(
        f"{API}/claims/{claim_id}/components",
        json={"quality_service_id": service_id, "component_id": "depot-injection"},
        headers=headers,
    )
    assert chosen.status_code == 200, chosen.text
    assert added.status_code == 200, added.text
    uploaded = await stack.client.post(
        f"{API}/claims/{claim_id}/components/depot-injection/attachments",
        files={"file": ("notes.pdf", samples.pdf(["Depot clinic notes"]), "application/pdf")},
        headers=headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    attachment_id = uploaded.json()["attachment_id"]

    async def clean() -> Any:
        listed = (await stack.client.get(f"{API}/claims/{claim_id}/attachments", headers=headers)).json()
        return listed[0]["status"] == "Clean"

    await eventually(clean)
    repeat = FileScanned(
        attachment_id=attachment_id,
        claim_id=claim_id,
        verdict="infected",
        signature="Eicar-Test-Signature",
        reasons=["a later, different verdict"],
        engine_version="ClamAV",
        signature_version="1",
        scanned_at=dt.datetime.now(dt.UTC),
    )
    (entry,) = outbox_entries([repeat], source="/cqrs/scanning")
    for _ in range(2):
        await stack.publish([])
        from cqrs_kit.broker import relay_publisher  # noqa: PLC0415

        await relay_publisher(stack.broker)(entry)

    def changes(records: list[Any]) -> list[AttachmentStatusChanged]:
        found = []
        for record in records:
            envelope = from_kafka_headers(record.headers)
            if envelope.subject == attachment_id and envelope.type == AttachmentStatusChanged.ce_type():
                event = deserialize(envelope.type, record.value or b"")
                assert isinstance(event, AttachmentStatusChanged)
                found.append(event)
        return found

    records = await read_topic(CLAIMS_ATTACHMENT, until=lambda r: len(changes(r)) >= 2, timeout=8)
    assert [c.status for c in changes(records)] == ["Clean"]
    listed = (await stack.client.get(f"{API}/claims/{claim_id}/attachments", headers=headers)).json()
    assert listed[0]["status"] == "Clean"


async def test_participation_events_repeated_or_late_change_nothing(stack: Stack) -> None:
    provider = stack.practices[1]
    headers = stack.user("Local User (single-level)", provider)
    service = depot([], service_id=unique("qs-offer")).model_copy(
        update={"commissioner_organisation_id": stack.commissioner}
    )
    made, accepted = offer_accepted(service, provider)
    await stack.publish([published(service), published(service), made, accepted, accepted, made])

    async def listed() -> Any:
        body = (
            await stack.client.get(
                f"{API}/claims/availability", params={"provider_organisation_id": provider}, headers=headers
            )
        ).json()
        return [s for s in body["services"] if s["quality_service_id"] == service.quality_service_id]

    (shown,) = await eventually(listed)
    assert shown["claimable"] is True
    offer = await stack.runtime.extras["claims"].catalogue.offer(made.offer_id)  # type: ignore[attr-defined]
    assert offer["status"] == "Approved"
    cancelled = OfferCancelled(
        **made.model_dump(
            include={
                "offer_id",
                "quality_service_id",
                "commissioner_organisation_id",
                "provider_organisation_id",
                "financial_year",
            }
        ),
        previous_status="Approved",
        cancelled_by="commissioner-1",
        cancelled_at=dt.datetime.now(dt.UTC),
    )
    await stack.publish([cancelled, accepted])

    async def gone() -> Any:
        return not await listed()

    await eventually(gone)


async def test_a_multi_level_user_prepares_and_the_approver_submits(stack: Stack) -> None:
    provider = stack.practices[1]
    preparer = stack.user("Local User (multi-level)", provider)
    approver = stack.user("Local Approver (multi-level)", provider)
    claim_id, service_id = await _claim_with_service(stack, provider, preparer)
    await stack.client.post(
        f"{API}/claims/{claim_id}/services", json={"quality_service_id": service_id}, headers=preparer
    )
    await stack.client.post(
        f"{API}/claims/{claim_id}/components",
        json={"quality_service_id": service_id, "component_id": "depot-injection"},
        headers=preparer,
    )
    lines = [
        {
            "component_id": "depot-injection",
            "units": 4,
            "answers": [{"question_id": "qualified-staff", "yes": True}],
        }
    ]
    sent = await stack.client.post(f"{API}/claims/{claim_id}/submit", json={"lines": lines}, headers=preparer)
    assert (sent.status_code, sent.json()["status"]) == (200, "Awaiting Provider Approval")
    again = await stack.client.post(f"{API}/claims/{claim_id}/submit", json={}, headers=preparer)
    assert again.status_code == 403
    submitted = await stack.client.post(f"{API}/claims/{claim_id}/submit", json={}, headers=approver)
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert (body["status"], body["total_pence"], body["total"]) == ("Pending Tier 1 Review", 6000, "£60.00")


#: Routes of review, payments and bulk claims: fuzzed with the tokens of each role that uses them.
ROLE_ROUTES = ("/review/", "/payment-batches", "/bulk-claims")


async def _submitted(stack: Stack, provider: str, headers: dict[str, str]) -> tuple[str, str]:
    """A depot claim submitted by the provider (no files: straight to Pending Tier 1 Review)."""
    claim_id, service_id = await _claim_with_service(stack, provider, headers)
    await stack.client.post(
        f"{API}/claims/{claim_id}/services", json={"quality_service_id": service_id}, headers=headers
    )
    await stack.client.post(
        f"{API}/claims/{claim_id}/components",
        json={"quality_service_id": service_id, "component_id": "depot-injection"},
        headers=headers,
    )
    lines = [
        {
            "component_id": "depot-injection",
            "units": 2,
            "answers": [{"question_id": "qualified-staff", "yes": True}],
        }
    ]
    done = await stack.client.post(f"{API}/claims/{claim_id}/submit", json={"lines": lines}, headers=headers)
    assert done.json()["status"] == "Pending Tier 1 Review", done.text
    return claim_id, service_id


def _pinned(case: Any, known: dict[str, str], base: dict[str, str]) -> dict[str, Any]:
    """The request of a case with its ids replaced by ones that exist (so authorisation can pass)."""
    path, query = dict(case.path_parameters or {}), dict(case.query or {})
    case.path_parameters = {k: known.get(k, v) for k, v in path.items()}
    case.query = {k: known.get(k, v) for k, v in query.items()} if case.query is not None else None
    try:
        return _request(case, base)
    finally:
        case.path_parameters, case.query = path, (query if case.query is not None else None)


def _request(case: Any, headers: dict[str, str]) -> dict[str, Any]:
    kwargs = case.as_transport_kwargs(base_url="http://test", headers=headers)
    allowed = {"method", "url", "headers", "params", "json", "content", "data", "files"}
    return {k: v for k, v in kwargs.items() if k in allowed}


async def test_review_payment_and_bulk_routes_answer_no_5xx_to_each_roles_tokens(stack: Stack) -> None:
    provider = stack.practices[0]
    provider_user = stack.user("Local User (single-level)", provider)
    roles = {
        "provider user": provider_user,
        "Tier 1": stack.user("Local Approver Tier 1", stack.commissioner, "fuzz-tier-1"),
        "Tier 2": stack.user("Local Approver Tier 2", stack.commissioner, "fuzz-tier-2"),
        "Finance": stack.user("Local Finance", stack.commissioner, "fuzz-finance"),
    }
    paid_id, service_id = await _submitted(stack, provider, provider_user)
    for role in ("Tier 1", "Tier 2"):
        moved = await stack.client.post(
            f"{API}/review/claims/{paid_id}/approve", json={}, headers=roles[role]
        )
        assert moved.status_code == 200, moved.text
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    from cqrs_claims.review.wiring import payments_of  # noqa: PLC0415

    london = ZoneInfo("Europe/London")
    three = dt.datetime.combine(dt.datetime.now(london).date(), dt.time(15, 0), tzinfo=london)
    await payments_of(stack.runtime).tick(three.astimezone(dt.UTC))
    batch_id = f"{stack.commissioner}-{three:%Y%m%d}"
    waiting_id, _ = await _submitted(stack, provider, provider_user)
    known = {
        "claim_id": waiting_id,
        "batch_id": batch_id,
        "commissioner_organisation_id": stack.commissioner,
        "provider_organisation_id": provider,
        "quality_service_id": service_id,
        "step": "Tier 1",
    }
    schema = schemathesis.openapi.from_dict(stack.api.openapi())
    cases: list[Any] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        if not any(part in operation.path for part in ROLE_ROUTES):
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def collect(case: Any) -> None:
            cases.append(case)

        collect()
    failures: list[str] = []
    passed: set[str] = set()
    for case in cases:
        for role, headers in roles.items():
            for request in (_request(case, headers), _pinned(case, known, headers)):
                answer = await stack.client.request(**request)
                if answer.status_code >= 500:
                    failures.append(
                        f"{role}: {case.method} {request['url']}: {answer.status_code} {answer.text[:200]}"
                    )
                elif answer.status_code < 300:
                    passed.add(f"{role} {case.method} {case.path}")
    assert len(cases) > 60
    assert not failures, "\n".join(failures)
    # The tokens passed authorisation: each role reached the routes it works with.
    assert {
        f"Tier 1 GET {API}/review/queue",
        f"Tier 1 GET {API}/review/claims/{{claim_id}}",
        f"Tier 1 GET {API}/bulk-claims/template",
        f"Tier 2 GET {API}/review/flows/{{commissioner_organisation_id}}",
        f"Finance GET {API}/payment-batches",
        f"Finance GET {API}/payment-batches/{{batch_id}}",
        f"Finance GET {API}/payment-batches/{{batch_id}}/csv",
        f"provider user GET {API}/review/claims/{{claim_id}}",
    } <= passed, sorted(passed)
