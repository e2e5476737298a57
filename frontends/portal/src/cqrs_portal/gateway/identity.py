"""Calls to identity: logging in, My Profile, organisations, Pending Actions, Users, clusters."""

from __future__ import annotations

import httpx

from cqrs_portal.gateway.base import IDENTITY, Credentials, GatewayBase, Json


class IdentityCalls(GatewayBase):
    """Calls to identity: logging in, My Profile, organisations, Pending Actions, Users, clusters."""

    # --- identity: logging in ---------------------------------------------------------------

    async def login(self, email: str, password: str) -> Json:
        """Log in: access and refresh tokens."""
        body: Json = await self._json(
            None, "POST", f"{IDENTITY}/login", json={"email": email, "password": password}
        )
        return body

    async def logout(self, refresh_token: str) -> None:
        """Stop the refresh token working."""
        await self.call(None, "POST", f"{IDENTITY}/logout", json={"refresh_token": refresh_token})

    async def ask_password_reset(self, email: str) -> str:
        """Forgotten password: ask for an emailed link (the answer is the same for any address)."""
        body: Json = await self._json(None, "POST", f"{IDENTITY}/password-reset", json={"email": email})
        return str(body.get("message") or "")

    async def complete_password_reset(self, token: str, password: str) -> None:
        """Choose a new password from the emailed link (it works once)."""
        await self.call(
            None, "POST", f"{IDENTITY}/password-reset/complete", json={"token": token, "password": password}
        )

    # --- identity: My Profile ---------------------------------------------------------------

    async def profile(self, creds: Credentials) -> Json:
        """My Profile: account, memberships with roles, and the organisations in scope."""
        body: Json = await self._json(creds, "GET", f"{IDENTITY}/users/me")
        return body

    async def change_preferences(
        self, creds: Credentials, *, task_emails: bool, message_emails: bool, daily_digest: bool = False
    ) -> Json:
        """Choose which emails to receive, and whether as they happen or in one daily digest."""
        body: Json = await self._json(
            creds,
            "PUT",
            f"{IDENTITY}/users/me/notification-preferences",
            json={"task_emails": task_emails, "message_emails": message_emails, "daily_digest": daily_digest},
        )
        return body

    async def disable_own_account(self, creds: Credentials, reason: str, reason_text: str | None) -> Json:
        """Disable the user's own account."""
        body: Json = await self._json(
            creds, "POST", f"{IDENTITY}/users/me/disable", json={"reason": reason, "reason_text": reason_text}
        )
        return body

    # --- identity: organisations and roles ----------------------------------------------------

    async def organisations(self, creds: Credentials, **filters: str) -> list[Json]:
        """Organisations, filtered by kind, parent or a search of code and name."""
        return await self._every(creds, f"{IDENTITY}/organisations", filters)

    async def descendants(self, creds: Credentials, ods_code: str, kind: str | None = None) -> list[Json]:
        """Every organisation below one, nearest first."""
        params = {"kind": kind} if kind else None
        return await self._every(creds, f"{IDENTITY}/organisations/{ods_code}/descendants", params)

    async def roles(self, creds: Credentials) -> list[Json]:
        """The roles catalogue: where each role may be held."""
        found: list[Json] = await self._json(creds, "GET", f"{IDENTITY}/roles")
        return found

    async def relationship_report(self, creds: Credentials, params: dict[str, str]) -> list[Json]:
        """Network organisation relationship report lines."""
        found: list[Json] = await self._json(
            creds, "GET", f"{IDENTITY}/pcn-relationships/report", params={**params, "format": "json"}
        )
        return found

    async def relationship_report_csv(self, creds: Credentials, params: dict[str, str]) -> httpx.Response:
        """The same report as the service's CSV file."""
        return await self.call(
            creds, "GET", f"{IDENTITY}/pcn-relationships/report", params={**params, "format": "csv"}
        )

    # --- identity: Pending Actions and invitations ----------------------------------------------

    async def pending_actions(
        self, creds: Credentials, *, sort: str, order: str, status: str | None
    ) -> list[Json]:
        """Registrations and access requests to review (identity pages them; the screen shows the
        first 500)."""
        params = {"sort": sort, "order": order, "limit": "500"} | ({"status": status} if status else {})
        page: Json = await self._json(creds, "GET", f"{IDENTITY}/pending-actions", params=params)
        found: list[Json] = page["items"]
        return found

    async def decide_request(
        self, creds: Credentials, action: Json, *, approve: bool, reason: str | None
    ) -> Json:
        """Approve or reject a registration or an access request (one Pending Actions line)."""
        if action["kind"] == "Registration":
            base = f"{IDENTITY}/registrations/{action['user_id']}"
        else:
            base = f"{IDENTITY}/access-requests/{action['request_id']}"
        if approve:
            body: Json = await self._json(creds, "POST", f"{base}/approve", json={})
        else:
            body = await self._json(creds, "POST", f"{base}/reject", json={"reason": reason})
        return body

    async def invite(self, creds: Credentials, invitation: Json) -> Json:
        """Invite a person to a role at an organisation."""
        body: Json = await self._json(creds, "POST", f"{IDENTITY}/invitations", json=invitation)
        return body

    # --- identity: Users ------------------------------------------------------------------------

    async def users(
        self,
        creds: Credentials,
        organisation: str | None = None,
        *,
        q: str = "",
        limit: int = 50,
        offset: int = 0,
    ) -> Json:
        """One page ({items, total, limit, offset}) of the users at the organisations the caller
        manages, searched by name or email on the server."""
        params = {"limit": str(limit), "offset": str(offset)} | ({"q": q} if q else {})
        params |= {"organisation": organisation} if organisation else {}
        page: Json = await self._json(creds, "GET", f"{IDENTITY}/users", params=params)
        return page

    async def user(self, creds: Credentials, user_id: str) -> Json:
        """One user."""
        body: Json = await self._json(creds, "GET", f"{IDENTITY}/users/{user_id}")
        return body

    async def audit(self, creds: Credentials, user_id: str) -> list[Json]:
        """The audit trail of one user's account."""
        return await self._every(creds, f"{IDENTITY}/audit", {"subject": user_id})

    async def change_roles(
        self, creds: Credentials, user_id: str, organisation: str, roles: list[Json], version: int
    ) -> Json:
        """Set a user's roles at one organisation, as edited from that version of the user (a
        stale edit is refused with 412)."""
        body: Json = await self._json(
            creds,
            "PUT",
            f"{IDENTITY}/users/{user_id}/roles",
            json={"organisation": organisation, "roles": roles},
            headers={"If-Match": f'"{version}"'},
        )
        return body

    async def assign_clusters(
        self, creds: Credentials, user_id: str, organisation: str, cluster_ids: list[str], version: int
    ) -> Json:
        """Limit a user at an organisation to some of its clusters, as edited from that version."""
        body: Json = await self._json(
            creds,
            "PUT",
            f"{IDENTITY}/users/{user_id}/clusters",
            json={"organisation": organisation, "cluster_ids": cluster_ids},
            headers={"If-Match": f'"{version}"'},
        )
        return body

    async def revoke(self, creds: Credentials, user_id: str, organisation: str) -> Json:
        """Revoke a user's access at one organisation."""
        body: Json = await self._json(
            creds, "POST", f"{IDENTITY}/users/{user_id}/revoke", json={"organisation": organisation}
        )
        return body

    async def enable(self, creds: Credentials, user_id: str, organisation: str | None) -> Json:
        """Give back access at an organisation, or re-enable a disabled account."""
        body: Json = await self._json(
            creds, "POST", f"{IDENTITY}/users/{user_id}/enable", json={"organisation": organisation}
        )
        return body

    async def disable(self, creds: Credentials, user_id: str, reason: str, reason_text: str | None) -> Json:
        """Disable a user's account with a reason."""
        body: Json = await self._json(
            creds,
            "POST",
            f"{IDENTITY}/users/{user_id}/disable",
            json={"reason": reason, "reason_text": reason_text},
        )
        return body

    # --- identity: Service Provider Clusters and Allocated Reports ------------------------------

    async def clusters(self, creds: Credentials, organisation: str) -> Json:
        """An organisation's clusters (or the message shown when it has none)."""
        body: Json = await self._json(
            creds, "GET", f"{IDENTITY}/clusters", params={"organisation": organisation}
        )
        return body

    async def cluster(self, creds: Credentials, cluster_id: str) -> Json:
        """One cluster with its organisations."""
        body: Json = await self._json(creds, "GET", f"{IDENTITY}/clusters/{cluster_id}")
        return body

    async def create_cluster(self, creds: Credentials, cluster: Json) -> Json:
        """Create a cluster."""
        body: Json = await self._json(creds, "POST", f"{IDENTITY}/clusters", json=cluster)
        return body

    async def update_cluster(self, creds: Credentials, cluster_id: str, edit: Json, version: int) -> Json:
        """Submit one whole edit of a cluster (name, description, organisations) made from that
        version (a stale edit is refused with 412 and nothing is lost)."""
        body: Json = await self._json(
            creds, "PUT", f"{IDENTITY}/clusters/{cluster_id}", json=edit, headers={"If-Match": f'"{version}"'}
        )
        return body

    async def allocations(self, creds: Credentials, organisation: str, **filters: str) -> list[Json]:
        """What an organisation allocated to its descendants."""
        found: list[Json] = await self._json(
            creds, "GET", f"{IDENTITY}/allocated-reports", params={"organisation": organisation, **filters}
        )
        return found

    async def allocate(
        self, creds: Credentials, organisation: str, descendant: str, services: list[Json]
    ) -> Json:
        """Allocate Quality Services' reports to a descendant."""
        body: Json = await self._json(
            creds,
            "POST",
            f"{IDENTITY}/allocated-reports",
            json={"organisation": organisation, "descendant": descendant, "services": services},
        )
        return body

    async def unallocate(
        self, creds: Credentials, organisation: str, descendant: str, ids: list[str]
    ) -> Json:
        """Stop allocating Quality Services' reports to a descendant."""
        body: Json = await self._json(
            creds,
            "POST",
            f"{IDENTITY}/allocated-reports/remove",
            json={"organisation": organisation, "descendant": descendant, "quality_service_ids": ids},
        )
        return body
