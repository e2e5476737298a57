"""Test helpers for email: read what an SMTP sink stored, and run a private SMTP sink on a free port
that a test may stop and start (never the shared stack's)."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

from cqrs_kit.testing import free_port


def stored_mails(store: Path, to: str) -> list[tuple[Path, EmailMessage]]:
    """Every message in an SMTP sink's folder whose envelope recipients include `to`, oldest first."""
    found: list[tuple[Path, EmailMessage]] = []
    for path in sorted(store.glob("*.eml")):
        content = path.read_bytes()
        if to.encode() not in content:
            continue
        parsed = BytesParser(policy=default).parsebytes(content)
        assert isinstance(parsed, EmailMessage)
        recipients = {a.strip() for a in str(parsed["X-Envelope-To"]).split(",")}
        if to in recipients:
            found.append((path, parsed))
    return found


async def mails_to(store: Path, to: str) -> list[EmailMessage]:
    """The messages stored for one recipient (read off the event loop)."""
    return [m for _, m in await asyncio.to_thread(stored_mails, store, to)]


def body_of(message: EmailMessage, subtype: str = "plain") -> str:
    """The plain or HTML part of a message."""
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no {subtype} part"
    content: str = part.get_content()
    return content


class PrivateSmtpSink:
    """An aiosmtpd server of the test's own, storing into a folder, that can be stopped and restarted
    on the same port to play "the mail server is down"."""

    def __init__(self, folder: Path, handler: Any = None) -> None:
        from cqrs_local.smtp_sink import MailStore  # noqa: PLC0415 - the launcher's own sink

        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.port = free_port()
        self.handler = handler or MailStore(folder)
        self._controller: Any = None

    @property
    def address(self) -> str:
        """host:port, as CQRS_SMTP_ADDRESS spells it."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        """Listen (again) on the sink's port."""
        from aiosmtpd.controller import Controller  # noqa: PLC0415

        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """Stop listening: connections are refused until start()."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
