"""Each row of the routing table on the real stack: who sees the item in their Message Centre, who
is emailed (read back from the SMTP server's store), and which task the event closes."""

from __future__ import annotations

import datetime as dt
import uuid

from cqrs_contracts.events import ClaimReturned, DeclarationApproved, ServiceRequested
from cqrs_contracts.events.identity import (
    AccessGranted,
    AccessRequested,
    AccessRequestRejected,
    RegistrationApproved,
    RegistrationRejected,
    UserRegistered,
)
from cqrs_kit.testing import eventually, offer_made
from cqrs_kit.testing_mail import body_of

from .conftest import Centre, User

NOW = dt.datetime.now(dt.UTC)


async def only_item(centre: Centre, user: User, **params: object) -> dict[str, object]:
    page = await centre.items(user, **params)
    assert page["total"] == 1, page
    item: dict[str, object] = page["items"][0]
    return item


async def test_offer_made_is_a_task_and_email_for_the_providers_service_management(centre: Centre) -> None:
    manager = await centre.user(("Service Management", centre.orgs["P1"]))
    other_role = await centre.user(("View", centre.orgs["P1"]))
    other_practice = await centre.user(("Service Management", centre.orgs["P2"]))
    offer = offer_made(provider_organisation_id=centre.orgs["P1"], quality_service_id="QS-FLU")
    await centre.deliver(offer)

    task = await only_item(centre, manager)
    assert (task["kind"], task["category"], task["status"]) == ("task", "offer-to-answer", "open")
    assert task["title"] == "Review the offer of Quality Service QS-FLU"
    assert (await centre.items(other_role))["total"] == 0
    assert (await centre.items(other_practice))["total"] == 0
    await centre.send_due_emails()
    [mail] = await eventually(lambda: centre.mails(manager), timeout=10)
    assert mail["Subject"] == "CQRS: Review the offer of Quality Service QS-FLU"
    assert "Please accept or reject it by 01 May 2025" in body_of(mail)
    assert "<strong>01 May 2025</strong>" in body_of(mail, "html")
    assert await centre.mails(other_practice) == []


async def test_a_service_request_is_a_task_for_the_commissioner_closed_by_the_offer_answering_it(
    centre: Centre,
) -> None:
    commissioner = await centre.user(("Commissioning Management", centre.orgs["ICB"]))
    sibling = await centre.user(("Commissioning Management", centre.orgs["ICB2"]))
    practice = await centre.user(("Service Management", centre.orgs["P1"]))
    request = str(uuid.uuid4())
    await centre.deliver(
        ServiceRequested(
            request_id=request,
            quality_service_id="QS-EAR",
            commissioner_organisation_id=centre.orgs["ICB"],
            provider_organisation_id=centre.orgs["P1"],
            financial_year="2025/26",
            note="We have two nurses trained <now>",
            requested_by=practice.user_id,
            requested_at=NOW,
        )
    )
    task = await only_item(centre, commissioner, kind="task")
    assert (task["category"], task["status"]) == ("service-request-to-answer", "open")
    assert task["title"] == f"{centre.orgs['P1']} asks to be offered Quality Service QS-EAR"
    assert (await centre.items(sibling))["total"] == 0
    await centre.send_due_emails()
    [mail] = await eventually(lambda: centre.mails(commissioner), timeout=10)
    assert "Their note: We have two nurses trained <now>" in body_of(mail)
    assert "trained &lt;now&gt;" in body_of(mail, "html")

    # An offer that does not answer the request leaves it open; the one that does closes it.
    await centre.deliver(offer_made(provider_organisation_id=centre.orgs["P1"], quality_service_id="QS-EAR"))
    assert (await only_item(centre, commissioner, kind="task"))["status"] == "open"
    await centre.deliver(
        offer_made(
            provider_organisation_id=centre.orgs["P1"],
            commissioner_organisation_id=centre.orgs["ICB"],
            quality_service_id="QS-EAR",
            request_id=request,
        )
    )
    assert (await only_item(centre, commissioner, kind="task"))["status"] == "closed"


async def test_registration_is_a_task_for_administrators_closed_by_the_decision(centre: Centre) -> None:
    admin = await centre.user(("User Administrator", centre.orgs["ICB"]))  # above the practice
    elsewhere = await centre.user(("User Administrator", centre.orgs["ICB2"]))
    person, request = f"u-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    address = f"{uuid.uuid4().hex[:10]}@practice.example"
    await centre.deliver(
        UserRegistered(
            user_id=person,
            email=address,
            first_name="Sam",
            last_name="Ng",
            organisation_ods_code=centre.orgs["P1"],
            request_id=request,
            registered_at=NOW,
        )
    )
    task = await only_item(centre, admin, kind="task")
    assert (task["category"], task["status"]) == ("registration-to-review", "open")
    assert (await centre.items(elsewhere))["total"] == 0

    await centre.deliver(
        RegistrationApproved(
            user_id=person,
            email=address,
            organisation_ods_code=centre.orgs["P1"],
            request_id=request,
            link_expires_at=NOW,
            approved_by="someone-else",
            approved_at=NOW,
        )
    )
    assert (await only_item(centre, admin, kind="task"))["status"] == "closed"
    applicant = User(person, address)
    # Identity emails the approved person their completion link; a second mail from here would
    # be a duplicate (the person got two), so the approval creates no message and sends nothing.
    assert (await centre.items(applicant))["total"] == 0
    await centre.send_due_emails()
    assert await centre.mails(applicant) == []


async def test_registration_rejected_tells_the_person_why(centre: Centre) -> None:
    person, request = f"u-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    address = f"{uuid.uuid4().hex[:10]}@practice.example"
    await centre.deliver(
        RegistrationRejected(
            user_id=person,
            email=address,
            organisation_ods_code=centre.orgs["P1"],
            request_id=request,
            reason="Generic email addresses are not allowed",
            rejected_by="admin",
            rejected_at=NOW,
        )
    )
    await centre.send_due_emails()
    [mail] = await eventually(lambda: centre.mails(User(person, address)), timeout=10)
    assert "Generic email addresses are not allowed" in body_of(mail)


async def test_access_request_task_closes_when_granted_or_rejected(centre: Centre) -> None:
    admin = await centre.user(("Local Administrator", centre.orgs["ICB"]))
    requester = await centre.user(("View", centre.orgs["P2"]))
    granted, refused = str(uuid.uuid4()), str(uuid.uuid4())
    for request in (granted, refused):
        await centre.deliver(
            AccessRequested(
                user_id=requester.user_id,
                request_id=request,
                organisation_ods_code=centre.orgs["P1"],
                requested_at=NOW,
            )
        )
    assert (await centre.items(admin, kind="task", status="open"))["total"] == 2
    await centre.deliver(
        AccessGranted(
            user_id=requester.user_id,
            organisation_ods_code=centre.orgs["P1"],
            request_id=granted,
            granted_by="admin",
            granted_at=NOW,
        )
    )
    await centre.deliver(
        AccessRequestRejected(
            user_id=requester.user_id,
            request_id=refused,
            organisation_ods_code=centre.orgs["P1"],
            reason="Not your practice",
            rejected_by="admin",
            rejected_at=NOW,
        )
    )
    assert (await centre.items(admin, kind="task", status="open"))["total"] == 0
    message = await only_item(centre, requester, kind="message")
    assert message["category"] == "access-rejected"
    await centre.send_due_emails()
    [mail] = await eventually(lambda: centre.mails(requester), timeout=10)  # address from the read model
    assert "Not your practice" in body_of(mail)


async def test_a_claim_returned_after_scanning_is_a_message_to_the_providers_preparers(
    centre: Centre,
) -> None:
    preparer = await centre.user(("Local User (single-level)", centre.orgs["P2"]))
    returned = ClaimReturned(
        claim_id=str(uuid.uuid4().int % 10**6),
        provider_organisation_id=centre.orgs["P2"],
        commissioner_organisation_id=centre.orgs["ICB"],
        reasons=["evidence.pdf: malware was found (Eicar-Test-Signature)"],
        attachment_ids=["a-2"],
        returned_by="system",
        returned_at=NOW,
    )
    await centre.deliver(returned)
    message = await only_item(centre, preparer)
    assert (message["kind"], message["category"]) == ("message", "claim-returned")
    await centre.send_due_emails()
    [mail] = await eventually(lambda: centre.mails(preparer), timeout=10)
    assert "Eicar-Test-Signature" in body_of(mail)


async def test_declaration_approved_is_a_message_to_the_providers_declaration_managers(
    centre: Centre,
) -> None:
    declarer = await centre.user(("Declaration Management", centre.orgs["P3"]), message_emails=False)
    await centre.deliver(
        DeclarationApproved(
            declaration_id=str(uuid.uuid4()),
            quality_service_id="QOF",
            provider_organisation_id=centre.orgs["P3"],
            commissioner_organisation_id=centre.orgs["ICB"],
            financial_year="2025/26",
            points_hundredths=1234,
            achievement_pence=123456,
            approved_by="c",
            approved_at=NOW,
            step="finance",
        )
    )
    message = await only_item(centre, declarer)
    assert (message["kind"], message["category"], message["read"]) == (
        "message",
        "declaration-approved",
        False,
    )
    assert await centre.outbox().by_status("pending") == 0  # the user asked for no message emails
