"""Sending email: one small port, an SMTP adapter and a GOV.UK Notify adapter, chosen by a setting.

Any service may send mail through it (notifications for what it tells users, identity for its
links that carry secrets), so it knows nothing about tasks or templates: a recipient, a subject,
a plain-text body, an optional HTML body and an idempotency key.

Failures come in three kinds, because a caller that promises "never twice" must know which:
``MailUnavailable`` (nothing was handed over: retry later), ``MailRejected`` (the server refused
this message for good: do not retry) and ``MailOutcomeUnknown`` (the connection broke after the
message may have been handed over: retrying risks a duplicate).
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
from email.message import EmailMessage
from typing import Any, Protocol

import aiosmtplib

from cqrs_kit.errors import TransientError
from cqrs_kit.settings import ServiceSettings


class MailUnavailable(TransientError):
    """The mail service could not be reached or asked us to try later; nothing was sent."""


class MailRejected(Exception):
    """The mail service refused this message permanently (e.g. an unknown recipient)."""


class MailOutcomeUnknown(Exception):
    """The connection broke while the message was being handed over: it may have been sent."""


class Mailer(Protocol):
    """What a service needs to send one email."""

    async def send(
        self, to: str, subject: str, text: str, html: str | None = None, *, idempotency_key: str
    ) -> None:
        """Send one message; raise one of this module's errors when it was not (surely) sent."""


def message_id(idempotency_key: str, domain: str = "cqrs.local") -> str:
    """A Message-ID derived from the key, so a receiving server can recognise a resend."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def build_message(
    sender: str, to: str, subject: str, text: str, *, html: str | None, key: str
) -> EmailMessage:
    """A MIME message: plain text, with an HTML alternative when given."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["Message-ID"] = message_id(key)
    message["X-CQRS-Idempotency-Key"] = key
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


class SmtpMailer:
    """Sends over SMTP with aiosmtplib (asynchronous: the event loop is never blocked)."""

    def __init__(self, host: str, port: int, sender: str, *, timeout: float = 10.0) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    async def send(
        self, to: str, subject: str, text: str, html: str | None = None, *, idempotency_key: str
    ) -> None:
        """Connect, hand the message over, disconnect; classify every failure."""
        message = build_message(self.sender, to, subject, text, html=html, key=idempotency_key)
        client = aiosmtplib.SMTP(hostname=self.host, port=self.port, timeout=self.timeout)
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise MailUnavailable(f"SMTP server {self.host}:{self.port} unreachable: {exc}") from exc
        try:
            await client.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise _refused(exc.recipients[0].code if exc.recipients else 550, str(exc)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            # The server answered with an error before accepting the data: nothing was sent.
            raise _refused(exc.code, exc.message) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise MailOutcomeUnknown(f"SMTP connection broke while sending: {exc!r}") from exc
        finally:
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()


def _refused(code: int, text: str) -> Exception:
    """4xx means try later, 5xx means never."""
    if 400 <= code < 500:
        return MailUnavailable(f"SMTP server asked to try later ({code}): {text}")
    return MailRejected(f"SMTP server refused the message ({code}): {text}")


class NotifyMailer:
    """Sends through GOV.UK Notify with its official client, in a worker thread (it is blocking).

    Notify keeps templates itself; this adapter uses one template whose subject is
    ``((subject))`` and whose body is ``((body))``, and passes the idempotency key as the
    ``reference`` Notify reports back. Notify formats the plain text itself, so HTML is not sent.
    """

    def __init__(self, api_key: str, template_id: str, base_url: str, *, timeout: float = 10.0) -> None:
        from notifications_python_client.notifications import (  # noqa: PLC0415 - only when chosen
            NotificationsAPIClient,
        )

        self._client: Any = NotificationsAPIClient(  # type: ignore[no-untyped-call]
            api_key, base_url=base_url, timeout=timeout
        )
        self.template_id = template_id

    async def send(
        self, to: str, subject: str, text: str, html: str | None = None, *, idempotency_key: str
    ) -> None:
        """Call Notify's send-email endpoint off the event loop; classify its failures."""
        from notifications_python_client.errors import HTTPError  # noqa: PLC0415

        try:
            await asyncio.to_thread(
                self._client.send_email_notification,
                email_address=to,
                template_id=self.template_id,
                personalisation={"subject": subject, "body": text},
                reference=idempotency_key,
            )
        except HTTPError as exc:
            status = int(exc.status_code)
            if status >= 500 or status == 429:
                raise MailUnavailable(f"GOV.UK Notify unavailable ({status}): {exc.message}") from exc
            raise MailRejected(f"GOV.UK Notify refused the message ({status}): {exc.message}") from exc


def mailer_from_settings(settings: ServiceSettings) -> Mailer:
    """The adapter the settings choose (CQRS_MAIL_BACKEND: smtp or notify)."""
    if settings.mail_backend == "notify":
        assert settings.notify_api_key
        assert settings.notify_template_id
        return NotifyMailer(settings.notify_api_key, settings.notify_template_id, settings.notify_base_url)
    host, port = settings.smtp_host_port
    return SmtpMailer(host, port, settings.mail_from)
