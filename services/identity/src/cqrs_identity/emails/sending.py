"""Identity's own emails: queued when its events show a link is due, rendered (link derived again)
and sent by the kit's mail outbox and adapter.

An event queues a mail only when the account in THIS database still holds the link it names
(same nonce, not spent), so a repeated or replayed event, a superseded link, or another
installation's event on a shared topic never mails anyone. The mail's id derives from the event
id, so one event mails once.
"""

from __future__ import annotations

import datetime as dt
import html
from importlib import resources
from string import Template
from typing import Any

from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events.identity import InvitationSent, PasswordResetRequested, RegistrationApproved
from cqrs_identity import settings as identity_settings
from cqrs_identity.emails.links import COMPLETE_REGISTRATION, RESET_PASSWORD, link_token, link_url
from cqrs_identity.store import LinkKeys, Stores
from cqrs_identity.users.accounts import Account
from cqrs_kit.idempotency import derived_id
from cqrs_kit.logs import get_logger
from cqrs_kit.mail import mailer_from_settings
from cqrs_kit.mail_outbox import MailDispatcher, MailOutbox, QueuedMail, Rendered
from cqrs_kit.runtime import Runtime

log = get_logger(__name__)

SUBJECTS = {
    "registration-approved": "Your CQRS registration has been approved",
    "invitation-new": "You have been invited to CQRS",
    "invitation-existing": "You have been invited to a new role in CQRS",
    "password-reset": "Reset your CQRS password",
}


def _template(name: str, extension: str) -> Template:
    text = resources.files("cqrs_identity.emails").joinpath("templates", f"{name}.{extension}").read_text()
    return Template(text)


async def link_key(runtime: Runtime) -> bytes:
    """The secret the links are derived from (setting, else the installation's stored key)."""
    given = identity_settings.of(runtime).identity_link_key
    if given:
        return given.encode()
    cached = runtime.extras.get("link_key")
    if cached is None:
        cached = await LinkKeys(runtime).key()
        runtime.extras["link_key"] = cached
    assert isinstance(cached, bytes)
    return cached


def _when(value: str | None) -> str:
    return dt.datetime.fromisoformat(value).strftime("%d %B %Y %H:%M") if value else ""


def renderer(runtime: Runtime) -> Any:
    """The render step of the mail outbox: template and parameters, plus the link derived again."""

    async def render(mail: QueuedMail) -> Rendered:
        params = {k: str(v) for k, v in mail.params.items() if v is not None}
        params["expires"] = _when(mail.params.get("expires_at"))
        purpose, nonce = mail.params.get("link_purpose"), mail.params.get("link_nonce")
        public_url = identity_settings.of(runtime).identity_public_url
        if purpose and nonce:
            token = link_token(await link_key(runtime), purpose, nonce)
            params["link"] = link_url(public_url, purpose, token)
        else:
            params["link"] = f"{public_url.rstrip('/')}/profile"
        text = _template(mail.template, "txt").safe_substitute(params)
        escaped = {k: html.escape(v) for k, v in params.items()}
        return Rendered(
            subject=SUBJECTS[mail.template],
            text=text,
            html=_template(mail.template, "html").safe_substitute(escaped),
        )

    return render


def _holds(link: Any, nonce: str) -> bool:
    return link is not None and link.nonce == nonce


async def _queue(
    runtime: Runtime, envelope: Envelope, account: Account, template: str, **params: Any
) -> None:
    outbox: MailOutbox = runtime.extras["mail_outbox"]
    base = {"first_name": account.first_name, "user_id": account.user_id}
    if await outbox.queue(
        derived_id(envelope.id, f"mail:{template}"), account.email, template, base | params
    ):
        log.info("mail queued", template=template, user_id=account.user_id)
        dispatcher: MailDispatcher | None = runtime.extras.get("mail_dispatcher")
        if dispatcher is not None:
            dispatcher.wake()


async def _organisation_name(runtime: Runtime, code: str) -> str:
    org = await Stores(runtime).organisations.get(code)
    return f"{org.name} ({code})" if org else code


def subscribe(runtime: Runtime) -> None:
    """Queue a mail for each of identity's own events that needs one (the one place it listens)."""
    runtime.extras["mail_outbox"] = MailOutbox(runtime.mongo)
    stores = Stores(runtime)

    @runtime.consumer.on(RegistrationApproved)
    async def approved(event: RegistrationApproved, envelope: Envelope) -> None:
        """The approved person gets their completion link."""
        account = await stores.accounts.get(event.user_id)
        if account is None or not _holds(account.completion, event.request_id):
            return
        await _queue(
            runtime,
            envelope,
            account,
            "registration-approved",
            organisation=await _organisation_name(runtime, event.organisation_ods_code),
            expires_at=event.link_expires_at.isoformat(),
            link_purpose=COMPLETE_REGISTRATION,
            link_nonce=event.request_id,
        )

    @runtime.consumer.on(InvitationSent)
    async def invited(event: InvitationSent, envelope: Envelope) -> None:
        """A new person gets a completion link; an existing user is asked to accept."""
        account = await stores.accounts.get(event.user_id)
        if account is None:
            return
        organisation = await _organisation_name(runtime, event.organisation_ods_code)
        if event.link_expires_at is not None:
            if not _holds(account.completion, event.request_id):
                return
            await _queue(
                runtime,
                envelope,
                account,
                "invitation-new",
                organisation=organisation,
                role=event.role,
                expires_at=event.link_expires_at.isoformat(),
                link_purpose=COMPLETE_REGISTRATION,
                link_nonce=event.request_id,
            )
        elif any(r.request_id == event.request_id for r in account.pending_invitations()):
            await _queue(
                runtime, envelope, account, "invitation-existing", organisation=organisation, role=event.role
            )

    @runtime.consumer.on(PasswordResetRequested)
    async def reset(event: PasswordResetRequested, envelope: Envelope) -> None:
        """The account's address gets a reset link."""
        account = await stores.accounts.get(event.user_id)
        if account is None or not _holds(account.reset, event.reset_id):
            return
        why = (
            "You asked to reset your CQRS password."
            if event.requested_by == event.user_id
            else "Your administrator asked for your CQRS password to be reset."
        )
        await _queue(
            runtime,
            envelope,
            account,
            "password-reset",
            why=why,
            expires_at=event.link_expires_at.isoformat(),
            link_purpose=RESET_PASSWORD,
            link_nonce=event.reset_id,
        )


async def start(runtime: Runtime) -> None:
    """Start sending queued mails in the background."""
    settings = identity_settings.of(runtime)
    dispatcher = MailDispatcher(
        runtime.extras["mail_outbox"],
        mailer_from_settings(settings),
        renderer(runtime),
        poll_seconds=settings.identity_mail_poll_seconds,
        max_backoff=settings.identity_mail_max_backoff_seconds,
    )
    runtime.extras["mail_dispatcher"] = dispatcher
    dispatcher.start()


async def stop(runtime: Runtime) -> None:
    """Stop sending (what is queued waits for the next start)."""
    dispatcher: MailDispatcher | None = runtime.extras.pop("mail_dispatcher", None)
    if dispatcher is not None:
        await dispatcher.stop()
