"""Shared pieces of identity's routes: field types and the use-case context of a request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request
from pydantic import StringConstraints

from cqrs_identity.access import Caller
from cqrs_identity.context import SYSTEM, Context
from cqrs_kit.runtime import Runtime

Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]
"""An email address: something@somewhere.tld, at most 254 characters."""

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
"""A first or last name."""

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
"""A reason given to the person affected."""

Secret = Annotated[str, StringConstraints(min_length=1, max_length=256)]
"""A password or token as typed or pasted."""


TRUSTED_PROXIES = frozenset({"127.0.0.1", "::1"})
"""Peers whose X-Forwarded-For is believed: the gateway (nginx on loopback) appends the address it saw."""


def client_address(request: Request) -> str:
    """The caller's address: the last X-Forwarded-For entry when the peer is the gateway (nginx
    appends what it saw, so a client cannot forge it), else the peer itself."""
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    if peer in TRUSTED_PROXIES and forwarded:
        return forwarded.split(",")[-1].strip() or peer
    return peer


def context(request: Request, runtime: Runtime, caller: Caller | None = None) -> Context:
    """The use-case context of one request: who acts, and the correlation id to carry."""
    return Context(
        runtime, caller.actor.user_id if caller else SYSTEM, getattr(request.state, "correlation_id", None)
    )
