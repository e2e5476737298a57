"""Server-side sessions: the cookie holds only a random id; the user's tokens, CSRF token and
journey drafts stay in the portal's own database.

The cookie is HttpOnly, SameSite=Lax and Secure whenever the page was reached over HTTPS. The store
keys sessions by a hash of the id, so a copy of the database cannot be replayed as a cookie.
FerretDB has no TTL indexes, so an expired session is refused when read and deleted then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient

COOKIE = "cqrs_session"
CSRF_FIELD = "csrf_token"


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Session:
    """One browser's session: who is signed in (if anyone), their tokens and one-shot messages."""

    session_id: str
    csrf_token: str
    expires_at: dt.datetime
    user_id: str | None = None
    name: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    drafts: dict[str, Any] = field(default_factory=dict)
    flash: list[str] = field(default_factory=list)
    changed: bool = False
    is_new: bool = False

    @property
    def signed_in(self) -> bool:
        """Whether a user has logged in on this session."""
        return self.user_id is not None and self.access_token is not None

    def keep_tokens(self, tokens: dict[str, Any]) -> None:
        """Store tokens from a login or refresh."""
        self.access_token = str(tokens["access_token"])
        self.refresh_token = str(tokens["refresh_token"])
        self.changed = True

    def say(self, message: str) -> None:
        """Show a confirmation on the next page."""
        self.flash.append(message)
        self.changed = True

    def take_flash(self) -> list[str]:
        """The confirmations to show now (each is shown once)."""
        messages, self.flash = self.flash, []
        if messages:
            self.changed = True
        return messages

    def draft(self, name: str) -> dict[str, Any]:
        """The answers of a multi-step journey so far (created empty)."""
        self.changed = True
        found: dict[str, Any] = self.drafts.setdefault(name, {})
        return found

    def drop_draft(self, name: str) -> None:
        """Forget a finished or abandoned journey."""
        if self.drafts.pop(name, None) is not None:
            self.changed = True

    def csrf_ok(self, token: str | None) -> bool:
        """Whether a form carried this session's CSRF token."""
        return token is not None and hmac.compare_digest(token, self.csrf_token)


class SessionStore:
    """Sessions in the portal's own MongoDB database."""

    def __init__(self, mongo_url: str, database: str, lifetime: dt.timedelta) -> None:
        self._client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
        self._sessions = self._client[database]["sessions"]
        self._lifetime = lifetime

    async def close(self) -> None:
        """Close the client."""
        await self._client.close()

    async def ping(self) -> None:
        """Raise when the database cannot be reached."""
        await self._client.admin.command("ping")

    def new(self) -> Session:
        """A fresh anonymous session (stored when it first changes)."""
        return Session(
            session_id=secrets.token_urlsafe(32),
            csrf_token=secrets.token_urlsafe(32),
            expires_at=_now() + self._lifetime,
            is_new=True,
            changed=True,
        )

    async def load(self, session_id: str | None) -> Session | None:
        """The live session with this id, if any."""
        if not session_id or len(session_id) > 100:
            return None
        doc = await self._sessions.find_one({"_id": _key(session_id)})
        if doc is None:
            return None
        if doc["expires_at"] <= _now():
            await self._sessions.delete_one({"_id": doc["_id"]})
            return None
        return Session(
            session_id=session_id,
            csrf_token=doc["csrf_token"],
            expires_at=doc["expires_at"],
            user_id=doc.get("user_id"),
            name=doc.get("name"),
            access_token=doc.get("access_token"),
            refresh_token=doc.get("refresh_token"),
            profile=doc.get("profile") or {},
            drafts=doc.get("drafts") or {},
            flash=doc.get("flash") or [],
        )

    async def save(self, session: Session) -> None:
        """Store the session as it is now."""
        doc = {
            "csrf_token": session.csrf_token,
            "expires_at": session.expires_at,
            "user_id": session.user_id,
            "name": session.name,
            "access_token": session.access_token,
            "refresh_token": session.refresh_token,
            "profile": session.profile,
            "drafts": session.drafts,
            "flash": session.flash,
        }
        await self._sessions.replace_one({"_id": _key(session.session_id)}, doc, upsert=True)
        session.changed = False

    async def delete(self, session: Session) -> None:
        """Forget a session (logging out, or replacing it at login)."""
        await self._sessions.delete_one({"_id": _key(session.session_id)})

    def renewed(self, old: Session) -> Session:
        """A new id and CSRF token for a session whose privileges change (login), keeping its
        messages: the id a visitor had before logging in never becomes a signed-in one."""
        fresh = self.new()
        fresh.flash = old.flash
        return fresh
