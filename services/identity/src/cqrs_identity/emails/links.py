"""Single-use links whose token is derived, never stored: HMAC(link key, purpose and nonce).

The nonce is public (it is the request or reset id on the event); the link key is secret. So the
email can be written again at send time from the event alone, the database keeps only the token's
hash, and nothing secret travels on Kafka or rests in the mail queue.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlencode

COMPLETE_REGISTRATION = "complete-registration"
RESET_PASSWORD = "reset-password"  # noqa: S105 - a link purpose, not a password
PURPOSES = (COMPLETE_REGISTRATION, RESET_PASSWORD)


def link_token(key: bytes, purpose: str, nonce: str) -> str:
    """The token of one link: unguessable without the key, the same every time it is derived."""
    digest = hmac.new(key, f"{purpose}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def link_url(public_url: str, purpose: str, token: str) -> str:
    """Where the emailed link points (the portal's page for that purpose)."""
    return f"{public_url.rstrip('/')}/{purpose}?{urlencode({'token': token})}"


@dataclass(frozen=True)
class Link:
    """A link made for one account: its token (only in the mail), its nonce, when it expires."""

    token: str
    nonce: str
    expires_at: dt.datetime
