"""The declaration rows on the real stack: a declaration awaiting the commissioning organisation is
a task for the Approval Management users at or above the provider (a national service's
commissioner is NHS England, the practice's ICB approves), one awaiting finance approval a task for
the Finance Management users there, each closed by the decision; the finance approval is a message
to the provider's Declaration Management users. Emails are read back from the SMTP server's store."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any, Literal

from aiokafka import AIOKafkaProducer

from cqrs_contracts.envelope import envelope_for, to_kafka_headers
from cqrs_contracts.events import DeclarationApproved, DeclarationDeclared, DeclarationRecalculated
from cqrs_contracts.registry import serialize
from cqrs_kit.testing import eventually
from cqrs_kit.testing_mail import body_of

from .conftest import Centre, User

NOW = dt.datetime.now(dt.UTC)


def common(centre: Centre, declaration_id: str, status: str) -> dict[str, Any]:
    return {
        "declaration_id": declaration_id,
        "quality_service_id": "QOF",
        "provider_organisation_id": centre.orgs["P1"],
        "commissioner_organisation_id": "X24",
        "financial_year": "2025/26",
        "achievement_date": dt.date(2026, 3, 31),
        "points_hundredths": 1038,
        "achievement_pence": 275805,
        "status": status,
    }


def declared(centre: Centre, declaration_id: str, *, approval_required: bool = True) -> DeclarationDeclared:
    return DeclarationDeclared(
        **common(centre, declaration_id, "Awaiting Commissioning Organisation Approval"),
        declared_by="nominated-1",
        declared_at=NOW,
        approval_required=approval_required,
    )


def approved(
    centre: Centre, declaration_id: str, step: Literal["commissioner", "finance"], *, automatic: bool = False
) -> DeclarationApproved:
    status = "Awaiting Finance Approval" if step == "commissioner" else "Approved for Payment"
    return DeclarationApproved(
        **common(centre, declaration_id, status),
        approved_by="cqrs-system" if automatic else f"{step}-1",
        approved_at=NOW,
        step=step,
        automatic=automatic,
    )


async def open_tasks(centre: Centre, user: User) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await centre.items(user, kind="task", status="open"))["items"]
    return items


async def test_a_declared_declaration_is_a_task_for_the_commissioners_approval_management(
    centre: Centre,
) -> None:
    approver = await centre.user(("Approval Management", centre.orgs["ICB"]))
    finance = await centre.user(("Finance Management", centre.orgs["ICB"]))
    elsewhere = await centre.user(("Approval Management", centre.orgs["ICB2"]))
    declaration_id = str(uuid.uuid4())
    await centre.deliver(declared(centre, declaration_id))
    [task] = await open_tasks(centre, approver)
    assert (task["category"], task["subject_id"], task["organisation"]) == (
        "declaration-to-approve",
        declaration_id,
        centre.orgs["P1"],
    )
    assert task["title"] == f"Approve the declaration of {centre.orgs['P1']} for QOF"
    assert (await centre.items(finance))["total"] == 0
    assert (await centre.items(elsewhere))["total"] == 0
    await centre.send_due_emails()
    [mail] = await eventually(lambda: centre.mails(approver), timeout=10)
    assert "10.38 points, £2,758.05" in body_of(mail)
    assert "available for approval" in body_of(mail)


async def test_commissioner_approval_closes_its_task_and_asks_finance_management(centre: Centre) -> None:
    approver = await centre.user(("Approval Management", centre.orgs["ICB"]))
    finance = await centre.user(("Finance Management", centre.orgs["ICB"]))
    declarer = await centre.user(("Declaration Management", centre.orgs["P1"]))
    declaration_id = str(uuid.uuid4())
    await centre.deliver(declared(centre, declaration_id))
    await centre.deliver(approved(centre, declaration_id, "commissioner"))
    assert await open_tasks(centre, approver) == []
    assert (await centre.items(approver, status="closed"))["total"] == 1
    [task] = await open_tasks(centre, finance)
    assert (task["category"], task["subject_id"]) == ("declaration-to-finance-approve", declaration_id)
    assert (await centre.items(declarer))["total"] == 0  # not approved for payment yet
    await centre.send_due_emails()
    [mail] = await eventually(lambda: centre.mails(finance), timeout=10)
    assert "available for finance approval" in body_of(mail)


async def test_finance_approval_closes_its_task_and_tells_the_provider(centre: Centre) -> None:
    finance = await centre.user(("Finance Management", centre.orgs["ICB"]))
    declarer = await centre.user(("Declaration Management", centre.orgs["P1"]))
    other_practice = await centre.user(("Declaration Management", centre.orgs["P2"]))
    declaration_id = str(uuid.uuid4())
    await centre.deliver(approved(centre, declaration_id, "commissioner"))
    await centre.deliver(approved(centre, declaration_id, "finance"))
    assert await open_tasks(centre, finance) == []
    [message] = (await centre.items(declarer))["items"]
    assert (message["kind"], message["category"]) == ("message", "declaration-approved")
    assert message["title"] == "Your declaration for QOF was approved for payment"
    assert (await centre.items(other_practice))["total"] == 0
    await centre.send_due_emails()
    [mail] = await eventually(lambda: centre.mails(declarer), timeout=10)
    assert "approved for payment" in body_of(mail)
    assert "£2,758.05" in body_of(mail)


async def test_no_approval_required_asks_nobody_to_approve_but_finance_still_approves(
    centre: Centre,
) -> None:
    approver = await centre.user(("Approval Management", centre.orgs["ICB"]))
    finance = await centre.user(("Finance Management", centre.orgs["ICB"]))
    declaration_id = str(uuid.uuid4())
    await centre.deliver(declared(centre, declaration_id, approval_required=False))
    await centre.deliver(approved(centre, declaration_id, "commissioner", automatic=True))
    assert (await centre.items(approver))["total"] == 0
    assert len(await open_tasks(centre, finance)) == 1
    await centre.send_due_emails()
    await eventually(lambda: centre.mails(finance), timeout=10)
    assert await centre.mails(approver) == []


async def test_recalculation_closes_the_task_and_declaring_again_asks_again(centre: Centre) -> None:
    approver = await centre.user(("Approval Management", centre.orgs["ICB"]), task_emails=False)
    declaration_id = str(uuid.uuid4())
    first = await centre.deliver(declared(centre, declaration_id))
    recalculated = DeclarationRecalculated(
        **common(centre, declaration_id, "Awaiting Service Provider Approval"),
        practice_ods_codes=[centre.orgs["P1"]],
        reason="achievement",
        previous_status="Awaiting Commissioning Organisation Approval",
        recalculated_at=NOW,
    )
    later = envelope_for(recalculated, source="/test", correlation_id="c").model_copy(
        update={"time": first.time + dt.timedelta(seconds=1)}
    )
    await centre.deliver(recalculated, later)
    assert await open_tasks(centre, approver) == []  # back with the provider: nothing to approve
    again = declared(centre, declaration_id)
    await centre.deliver(
        again,
        envelope_for(again, source="/test", correlation_id="c").model_copy(
            update={"time": later.time + dt.timedelta(seconds=1)}
        ),
    )
    assert len(await open_tasks(centre, approver)) == 1
    assert (await centre.items(approver, status="closed"))["total"] == 1


async def test_a_declaration_delivered_twice_through_kafka_makes_one_task_and_one_email(
    centre: Centre,
) -> None:
    approver = await centre.user(("Approval Management", centre.orgs["ICB"]))
    event = declared(centre, str(uuid.uuid4()))
    envelope = envelope_for(event, source="/test", correlation_id=str(uuid.uuid4()))
    producer = AIOKafkaProducer(bootstrap_servers=centre.runtime.settings.kafka_bootstrap)
    await producer.start()
    try:
        for _ in range(2):  # as the outbox relay would after crashing between publishing and marking
            await producer.send_and_wait(
                event.topic,
                serialize(event),
                key=event.aggregate_id().encode(),
                headers=to_kafka_headers(envelope),
            )
    finally:
        await producer.stop()
    await eventually(lambda: _total(centre, approver), timeout=30)
    await centre.deliver(event, envelope)  # and a third time, directly
    await eventually(lambda: centre.mails(approver), timeout=15)
    await asyncio.sleep(1.0)  # give a second email every chance to arrive
    assert (await centre.items(approver))["total"] == 1
    assert len(await centre.mails(approver)) == 1


async def _total(centre: Centre, user: User) -> int:
    return int((await centre.items(user))["total"])
