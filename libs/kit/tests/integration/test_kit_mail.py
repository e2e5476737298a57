"""The kit's mail adapters against real servers: the stack's SMTP sink, a private aiosmtpd that
refuses or is stopped, and a local stand-in for GOV.UK Notify that checks the client's JWT."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest

from cqrs_kit.mail import (
    MailRejected,
    MailUnavailable,
    NotifyMailer,
    SmtpMailer,
    mailer_from_settings,
    message_id,
)
from cqrs_kit.settings import ServiceSettings
from cqrs_kit.testing import eventually, free_port
from cqrs_kit.testing_mail import PrivateSmtpSink, body_of, mails_to, stored_mails


def _smtp(address: str) -> SmtpMailer:
    host, port = address.rsplit(":", 1)
    return SmtpMailer(host, int(port), "CQRS <no-reply@cqrs.local>", timeout=5)


async def test_smtp_mail_arrives_with_text_html_and_a_message_id_from_the_key(infra: dict[str, str]) -> None:
    to = f"{uuid.uuid4().hex}@practice.example"
    key = str(uuid.uuid4())
    await _smtp(infra["CQRS_SMTP_ADDRESS"]).send(
        to, "Offer to answer", "Plain £12.34\n", "<p>Rich £12.34</p>", idempotency_key=key
    )
    store = Path(infra["CQRS_SMTP_STORE"])
    [mail] = await eventually(lambda: mails_to(store, to), timeout=10)
    for path, _ in stored_mails(store, to):
        path.unlink()
    assert mail["Subject"] == "Offer to answer"
    assert mail["Message-ID"] == message_id(key)
    assert body_of(mail).splitlines() == ["Plain £12.34"]
    assert "<p>Rich £12.34</p>" in body_of(mail, "html")


async def test_smtp_down_is_unavailable_and_a_refused_recipient_is_rejected(tmp_path: Path) -> None:
    class Refuses:
        async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            return "451 try later" if address.startswith("later") else "550 no such user"

    with pytest.raises(MailUnavailable):  # nobody listens on a fresh free port
        await _smtp(f"127.0.0.1:{free_port()}").send("a@b.example", "s", "t", idempotency_key="k")
    sink = PrivateSmtpSink(tmp_path, handler=Refuses())
    sink.start()
    try:
        with pytest.raises(MailRejected, match="550"):
            await _smtp(sink.address).send("nobody@b.example", "s", "t", idempotency_key="k")
        with pytest.raises(MailUnavailable, match="451"):
            await _smtp(sink.address).send("later@b.example", "s", "t", idempotency_key="k")
    finally:
        sink.stop()


SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"cqrs_test-{SERVICE_ID}-{SECRET}"


class NotifyStub(ThreadingHTTPServer):
    """Answers POST /v2/notifications/email like Notify: 403 unless the bearer JWT is HS256, signed
    with the API key's secret, issued by the service id, and issued within the last 30 seconds."""

    received: list[dict[str, Any]]


class _NotifyHandler(BaseHTTPRequestHandler):
    server: NotifyStub

    def do_POST(self) -> None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != "HS256":
                raise jwt.InvalidTokenError("algorithm used is not HS256")
            claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_iat": False})
            if claims.get("iss") != SERVICE_ID or abs(time.time() - int(claims["iat"])) > 30:
                raise jwt.InvalidTokenError("iss or iat wrong")
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            self._answer(403, {"errors": [{"error": "AuthError", "message": f"Invalid token: {exc}"}]})
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.received.append(body)
        self._answer(201, {"id": str(uuid.uuid4()), "reference": body.get("reference")})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def notify() -> Iterator[NotifyStub]:
    server = NotifyStub(("127.0.0.1", 0), _NotifyHandler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: NotifyStub) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


async def test_notify_is_chosen_by_setting_and_sends_with_a_valid_jwt(notify: NotifyStub) -> None:
    settings = ServiceSettings(
        mail_backend="notify",
        notify_api_key=API_KEY,
        notify_template_id="tpl-1",
        notify_base_url=_url(notify),
    )
    mailer = mailer_from_settings(settings)
    assert isinstance(mailer, NotifyMailer)
    await mailer.send("pm@practice.example", "Offer", "Please answer", "<p>x</p>", idempotency_key="key-1")
    assert notify.received == [
        {
            "email_address": "pm@practice.example",
            "template_id": "tpl-1",
            "personalisation": {"subject": "Offer", "body": "Please answer"},
            "reference": "key-1",
        }
    ]


async def test_notify_refuses_a_wrong_key_and_an_absent_notify_is_unavailable(notify: NotifyStub) -> None:
    wrong = f"cqrs_test-{SERVICE_ID}-{uuid.uuid4()}"
    with pytest.raises(MailRejected, match="403"):
        await NotifyMailer(wrong, "tpl-1", _url(notify)).send("a@b.example", "s", "t", idempotency_key="k")
    assert notify.received == []
    with pytest.raises(MailUnavailable):
        await NotifyMailer(API_KEY, "tpl-1", f"http://127.0.0.1:{free_port()}").send(
            "a@b.example", "s", "t", idempotency_key="k"
        )


def test_notify_backend_without_a_key_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="CQRS_NOTIFY_API_KEY"):
        ServiceSettings(mail_backend="notify")
