"""The mail server is down, then up: the email waits, is retried with backoff, and arrives once.
The server is this test's own aiosmtpd on a free port; the stack's SMTP server is never stopped."""

from __future__ import annotations

from pathlib import Path

from cqrs_kit.testing import eventually, offer_made
from cqrs_kit.testing_mail import PrivateSmtpSink, mails_to

from .conftest import started


async def test_email_waits_while_smtp_is_down_and_is_sent_once_when_it_is_back(tmp_path: Path) -> None:
    sink = PrivateSmtpSink(tmp_path / "mail")  # not started: connections are refused
    async with started(sink.address, sink.folder) as centre:
        manager = await centre.user(("Service Management", centre.orgs["P1"]))
        await centre.deliver(offer_made(provider_organisation_id=centre.orgs["P1"]))
        outbox = centre.outbox()

        async def retried() -> bool:
            doc = await outbox.mails.find_one({"to": manager.email})
            return bool(doc and doc["attempts"] >= 2 and doc["status"] == "pending")

        await eventually(retried, timeout=30)
        assert await mails_to(sink.folder, manager.email) == []
        sink.start()
        try:
            [mail] = await eventually(lambda: mails_to(sink.folder, manager.email), timeout=30)
            assert mail["Subject"].startswith("CQRS: Review the offer")
            await eventually(lambda: outbox.by_status("sent"), timeout=10)
            await centre.send_due_emails()  # another round finds nothing to send
            assert len(await mails_to(sink.folder, manager.email)) == 1
        finally:
            sink.stop()
