"""Calls to notifications: the Message Centre."""

from __future__ import annotations

from cqrs_portal.gateway.base import NOTIFICATIONS, Credentials, GatewayBase, Json


class NotificationCalls(GatewayBase):
    """Calls to notifications: the Message Centre."""

    # --- notifications: the Message Centre ------------------------------------------------------

    async def message_centre(
        self, creds: Credentials, *, kind: str, status: str | None = None, page: int = 1, limit: int = 20
    ) -> Json:
        """One page of the user's tasks or messages, newest first, with whether each was read."""
        params: dict[str, str | int] = {"kind": kind, "page": page, "limit": limit}
        if status:
            params["status"] = status
        body: Json = await self._json(creds, "GET", f"{NOTIFICATIONS}/items", params=params)
        return body

    async def unread_count(self, creds: Credentials) -> Json:
        """How many open tasks and messages the user has not read."""
        body: Json = await self._json(creds, "GET", f"{NOTIFICATIONS}/items/unread-count")
        return body

    async def mark_read(self, creds: Credentials, item_id: str) -> None:
        """Mark one task or message read."""
        await self.call(creds, "POST", f"{NOTIFICATIONS}/items/{item_id}/read")
