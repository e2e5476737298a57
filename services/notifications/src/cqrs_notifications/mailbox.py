"""The Message Centre's emails: the kit's mail queue (``cqrs_kit.mail_outbox``: queued once per
event and recipient, sent at most once, retried with backoff while the mail service is down) kept
in this service's own collections. These emails carry no secret, so they are queued written
already (``rendered``) and the dispatcher needs no render step; the template is the item's category.
"""

from __future__ import annotations

from cqrs_kit.mail_outbox import MailOutbox, indexes
from cqrs_kit.mongo import Mongo

EMAILS = "emails"
SEND_CLAIMS = "email_send_claims"
INDEXES = indexes(EMAILS)


class Outbox(MailOutbox):
    """The kit's mail queue in the ``emails`` and ``email_send_claims`` collections."""

    def __init__(self, mongo: Mongo) -> None:
        super().__init__(mongo, mails=EMAILS, claims=SEND_CLAIMS)
