"""On the real stack, through Kafka: AchievementExtracted in → declaration → declared by a PCN's
nominated person → approved → finance approved → DeclarationApproved (finance step) on the topic."""

from __future__ import annotations

import json
import uuid

from aiokafka import AIOKafkaProducer

from cqrs_claims.app import create_app
from cqrs_contracts.envelope import envelope_for, to_kafka_headers
from cqrs_contracts.events import DeclarationApproved, Event
from cqrs_contracts.registry import serialize
from cqrs_contracts.topics import CLAIMS_DECLARATION
from cqrs_kit.app import runtime_of
from cqrs_kit.testing import (
    bearer,
    endpoints,
    eventually,
    grant,
    isolated_settings,
    read_topic,
    running_app,
    seed_standard_tree,
    skip_history,
)

from .achievement_stack import API, COMMISSIONER, SETTINGS, TOPICS, extraction, national_service

NOMINATED = bearer(grant("PCN Organisation", "U11111"), grant("Declaration Management", "U11111"))
APPROVER = bearer(grant("Approval Management", "QWE"))
FINANCE = bearer(grant("Finance Management", "QWE"))


async def publish(*events: Event) -> None:
    """Send events as another system would: CloudEvents headers, JSON body, keyed by aggregate."""
    producer = AIOKafkaProducer(
        bootstrap_servers=endpoints()["CQRS_KAFKA_BOOTSTRAP"], enable_idempotence=True
    )
    await producer.start()
    try:
        for event in events:
            envelope = envelope_for(event, source="/gpes", correlation_id=str(uuid.uuid4()))
            headers = [(k, v) for k, v in to_kafka_headers(envelope)]
            await producer.send_and_wait(
                event.topic, serialize(event), key=event.aggregate_id().encode(), headers=headers
            )
    finally:
        await producer.stop()


async def test_extraction_to_approved_for_payment_through_kafka() -> None:
    settings = isolated_settings("claims")
    await skip_history(settings.group, *TOPICS)
    app = create_app(settings)
    service = f"qs-{uuid.uuid4().hex[:8]}"
    async with running_app(app) as client:
        await seed_standard_tree(runtime_of(app).directory)
        await publish(national_service(service))
        put = f"{API}/achievement/services/{service}/payment-settings"

        async def settings_accepted() -> bool:
            response = await client.put(
                put, json={**SETTINGS, "declaration_level": "pcn"}, headers=COMMISSIONER
            )
            return response.status_code == 200

        await eventually(settings_accepted)
        await publish(extraction(service, "A81001"), extraction(service, "A81002"))
        key = f"{service}:U11111"

        async def both_practices() -> dict[str, object] | None:
            response = await client.get(f"{API}/declarations/{key}", headers=NOMINATED)
            body: dict[str, object] = response.json()
            figures = body.get("figures") if response.status_code == 200 else None
            return body if isinstance(figures, dict) and len(figures["practice_ods_codes"]) == 2 else None

        opened = await eventually(both_practices)
        assert opened["status"] == "Awaiting Service Provider Approval"
        for path, headers, status in (
            ("declare", NOMINATED, "Awaiting Commissioning Organisation Approval"),
            ("approve", APPROVER, "Awaiting Finance Approval"),
            ("finance-approve", FINANCE, "Approved for Payment"),
        ):
            response = await client.post(f"{API}/declarations/{key}/{path}", headers=headers)
            assert response.status_code == 200, response.text
            assert response.json()["status"] == status

        def paid(records: list[object]) -> list[dict[str, object]]:
            found = []
            for record in records:
                headers = dict(record.headers)  # type: ignore[attr-defined]
                body = json.loads(record.value)  # type: ignore[attr-defined]
                if (
                    headers.get("ce_type") == DeclarationApproved.ce_type().encode()
                    and body["declaration_id"] == key
                ):
                    found.append(body)
            return found

        records = await read_topic(
            CLAIMS_DECLARATION, until=lambda got: any(b["step"] == "finance" for b in paid(got))
        )
        steps = paid(records)
        assert [b["step"] for b in steps] == ["commissioner", "finance"]
        final = steps[-1]
        assert final["status"] == "Approved for Payment"
        assert final["provider_organisation_id"] == "U11111"
        assert final["commissioner_organisation_id"] == "QWE"
        assert final["achievement_pence"] == opened["figures"]["achievement_pence"]
        assert final["payment_type"] == "QOF"
