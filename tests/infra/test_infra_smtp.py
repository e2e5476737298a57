"""SMTP sink: a mail sent over SMTP is stored as an .eml file with its envelope recipients."""

from __future__ import annotations

import asyncio
import smtplib
import uuid
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

from cqrs_kit.testing import eventually


def _send(address: str, message: EmailMessage) -> None:
    host, port = address.rsplit(":", 1)
    with smtplib.SMTP(host, int(port), timeout=10) as smtp:
        smtp.send_message(message)


def _find(store: Path, subject: str) -> tuple[Path, EmailMessage] | None:
    """The stored message with this subject, if it has arrived (the sink writes files atomically)."""
    for path in store.glob("*.eml"):
        content = path.read_bytes()
        if subject.encode() in content:
            parsed = BytesParser(policy=default).parsebytes(content)
            assert isinstance(parsed, EmailMessage)
            return path, parsed
    return None


async def test_sent_mail_is_stored_with_envelope_recipients_and_body(infra: dict[str, str]) -> None:
    """What notifications would send reaches the sink: recipients (Bcc too), subject and body."""
    subject = f"CQRS infra test {uuid.uuid4().hex}"
    message = EmailMessage()
    message["From"] = "cqrs-notifications@example.nhs.uk"
    message["To"] = "practice-manager@example.nhs.uk"
    message["Bcc"] = "audit@example.nhs.uk"
    message["Subject"] = subject
    message.set_content("Your claim for £1,234.56 was approved.\n")

    await asyncio.to_thread(_send, infra["CQRS_SMTP_ADDRESS"], message)

    store = Path(infra["CQRS_SMTP_STORE"])

    async def arrived() -> tuple[Path, EmailMessage] | None:
        return await asyncio.to_thread(_find, store, subject)

    found: tuple[Path, EmailMessage] = await eventually(arrived, timeout=10)
    path, stored = found
    path.unlink()  # the store is shared; leave only other people's mail in it
    envelope_to = {a.strip() for a in str(stored["X-Envelope-To"]).split(",")}
    assert envelope_to == {"practice-manager@example.nhs.uk", "audit@example.nhs.uk"}
    assert stored["X-Envelope-From"] == "cqrs-notifications@example.nhs.uk"
    assert stored["To"] == "practice-manager@example.nhs.uk"
    assert stored["Bcc"] is None  # Bcc travels in the envelope only
    assert stored["Subject"] == subject
    body = stored.get_body(preferencelist=("plain",))
    assert body is not None
    # Stored as received on the wire, so lines end in CRLF.
    assert body.get_content().splitlines() == ["Your claim for £1,234.56 was approved."]
