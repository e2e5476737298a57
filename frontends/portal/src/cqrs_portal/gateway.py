"""The portal's one client of the public API: every call to a service goes through the gateway here.

Pages call a method named after what the user does; the method knows the service's path and body.
Later pages (offers, claims, declarations, Message Centre) add their methods in a section of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

Json = dict[str, Any]

IDENTITY = "/api/identity"
NOTIFICATIONS = "/api/notifications"
PARTICIPATION = "/api/participation"
CLAIMS = "/api/claims"


@dataclass
class FieldError:
    """One field a service refused, in its words."""

    field: str
    message: str


@dataclass
class ApiProblem(Exception):
    """A service refused the call with RFC 9457 problem details (or failed without them)."""

    status: int
    title: str
    detail: str
    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"

    def field_message(self, name: str) -> str | None:
        """What the service said about one field, if it named it."""
        return next((e.message for e in self.errors if e.field.split(".")[-1] == name), None)


class NotLoggedIn(Exception):
    """The user has no token, or it expired and could not be refreshed: they must log in again."""


class Credentials(Protocol):
    """What a signed-in session lends the client: its tokens, and where to keep refreshed ones."""

    access_token: str | None
    refresh_token: str | None

    def keep_tokens(self, tokens: Json) -> None:
        """Store tokens from a refresh."""


def _problem(response: httpx.Response) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    errors = [
        FieldError(str(e.get("field") or ""), str(e.get("message") or ""))
        for e in body.get("errors") or []
        if isinstance(e, dict)
    ]
    return ApiProblem(
        status=response.status_code,
        title=str(body.get("title") or response.reason_phrase),
        detail=str(body.get("detail") or "The service could not do that; nothing was changed."),
        errors=errors,
    )


class Gateway:
    """Calls the services through the gateway with the user's token, refreshing it once when it
    has expired."""

    def __init__(
        self, base_url: str, *, timeout: float = 15.0, transport: httpx.AsyncBaseTransport | None = None
    ):
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _send(
        self,
        method: str,
        path: str,
        token: str | None,
        *,
        json: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = ({"Authorization": f"Bearer {token}"} if token else {}) | (headers or {})
        try:
            return await self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise ApiProblem(
                503, "Service unavailable", "CQRS could not be reached; try again later."
            ) from exc

    async def call(
        self,
        creds: Credentials | None,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """One call as the user; a refused call raises ApiProblem, an expired login NotLoggedIn."""
        token = creds.access_token if creds else None
        response = await self._send(method, path, token, json=json, params=params, headers=headers)
        if response.status_code == 401 and creds is not None:
            if not creds.refresh_token:
                raise NotLoggedIn
            refreshed = await self._send(
                "POST", f"{IDENTITY}/token/refresh", None, json={"refresh_token": creds.refresh_token}
            )
            if refreshed.status_code != 200:
                raise NotLoggedIn
            creds.keep_tokens(refreshed.json())
            response = await self._send(
                method, path, creds.access_token, json=json, params=params, headers=headers
            )
            if response.status_code == 401:
                raise NotLoggedIn
        if response.status_code >= 400:
            raise _problem(response)
        return response

    async def _json(self, creds: Credentials | None, method: str, path: str, **kwargs: Any) -> Any:
        return (await self.call(creds, method, path, **kwargs)).json()

    async def _every(self, creds: Credentials | None, path: str, params: dict[str, str] | None) -> list[Json]:
        """Every item of a paged list ({items, total, limit, offset}), a page of 500 at a time."""
        found: list[Json] = []
        while True:
            page: Json = await self._json(
                creds, "GET", path, params={**(params or {}), "limit": "500", "offset": str(len(found))}
            )
            found.extend(page["items"])
            if not page["items"] or len(found) >= page["total"]:
                return found

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
        self, creds: Credentials, *, task_emails: bool, message_emails: bool
    ) -> Json:
        """Choose which emails to receive."""
        body: Json = await self._json(
            creds,
            "PUT",
            f"{IDENTITY}/users/me/notification-preferences",
            json={"task_emails": task_emails, "message_emails": message_emails},
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

    # --- participation: Create Offers (the five steps) -------------------------------------------

    async def quality_services(self, creds: Credentials, **filters: str) -> Json:
        """Published Quality Services available to the user's organisations (a page)."""
        params = {"published": "true", "limit": "500", **filters}
        body: Json = await self._json(creds, "GET", f"{PARTICIPATION}/quality-services", params=params)
        return body

    async def start_offer(self, creds: Credentials, commissioner: str, quality_service_id: str) -> Json:
        """Step 1: start an offer of a service (a draft saved between steps)."""
        body: Json = await self._json(
            creds,
            "POST",
            f"{PARTICIPATION}/offer-drafts",
            json={"commissioner_organisation_id": commissioner, "quality_service_id": quality_service_id},
        )
        return body

    async def offer_draft(self, creds: Credentials, draft_id: str) -> Json:
        """The draft as saved after its last step."""
        body: Json = await self._json(creds, "GET", f"{PARTICIPATION}/offer-drafts/{draft_id}")
        return body

    async def choose_offer_service(self, creds: Credentials, draft_id: str, quality_service_id: str) -> Json:
        """Step 1 again: another service."""
        body: Json = await self._json(
            creds,
            "PUT",
            f"{PARTICIPATION}/offer-drafts/{draft_id}/service",
            json={"quality_service_id": quality_service_id},
        )
        return body

    async def offer_dates(self, creds: Credentials, draft_id: str) -> Json:
        """Step 2's values: the draft's dates or the service's own period."""
        body: Json = await self._json(creds, "GET", f"{PARTICIPATION}/offer-drafts/{draft_id}/details")
        return body

    async def set_offer_dates(self, creds: Credentials, draft_id: str, dates: Json) -> Json:
        """Step 2: service start, end, response and target dates."""
        body: Json = await self._json(
            creds, "PUT", f"{PARTICIPATION}/offer-drafts/{draft_id}/details", json=dates
        )
        return body

    async def offer_candidates(self, creds: Credentials, draft_id: str, search: str | None) -> Json:
        """Step 3's choices: providers the user may offer to (one page of up to 500)."""
        params = {"limit": "500"} | ({"search": search} if search else {})
        body: Json = await self._json(
            creds, "GET", f"{PARTICIPATION}/offer-drafts/{draft_id}/providers", params=params
        )
        return body

    async def choose_offer_providers(
        self, creds: Credentials, draft_id: str, providers: list[str], *, select_all: bool
    ) -> Json:
        """Step 3: the providers to offer to, or every one the user may."""
        body: Json = await self._json(
            creds,
            "PUT",
            f"{PARTICIPATION}/offer-drafts/{draft_id}/providers",
            json={"provider_organisation_ids": providers, "select_all": select_all},
        )
        return body

    async def submit_offer(self, creds: Credentials, draft_id: str) -> Json:
        """Step 4: the offer was reviewed."""
        body: Json = await self._json(creds, "POST", f"{PARTICIPATION}/offer-drafts/{draft_id}/submit")
        return body

    async def confirm_offer(self, creds: Credentials, draft_id: str) -> Json:
        """Step 5: yes, make the offer (one per provider)."""
        body: Json = await self._json(creds, "POST", f"{PARTICIPATION}/offer-drafts/{draft_id}/confirm")
        return body

    # --- participation: Offered Services and My Services -----------------------------------------

    async def offered_services(self, creds: Credentials, financial_year: str | None) -> Json:
        """Offered Services of a financial year (the current one by default), counts by status."""
        params = {"limit": "500"} | ({"financial_year": financial_year} if financial_year else {})
        body: Json = await self._json(creds, "GET", f"{PARTICIPATION}/offered-services", params=params)
        return body

    async def service_providers(
        self, creds: Credentials, quality_service_id: str, status: str | None
    ) -> Json:
        """One offered service's providers, by status."""
        params = {"limit": "500"} | ({"status": status} if status else {})
        body: Json = await self._json(
            creds, "GET", f"{PARTICIPATION}/offered-services/{quality_service_id}/providers", params=params
        )
        return body

    async def end_offers(
        self, creds: Credentials, quality_service_id: str, action: str, providers: list[str]
    ) -> list[Json]:
        """Withdraw (Offered) or cancel (Approved, Rejected) a service's offers: a result each."""
        found: list[Json] = await self._json(
            creds,
            "POST",
            f"{PARTICIPATION}/offered-services/{quality_service_id}/{action}",
            json={"provider_organisation_ids": providers},
        )
        return found

    async def provider_offers(
        self, creds: Credentials, provider: str, financial_year: str | None, status: str | None
    ) -> Json:
        """Every service offered to one provider, by status."""
        params = {"limit": "500"} | ({"financial_year": financial_year} if financial_year else {})
        params |= {"status": status} if status else {}
        body: Json = await self._json(
            creds, "GET", f"{PARTICIPATION}/providers/{provider}/offers", params=params
        )
        return body

    async def my_services(self, creds: Credentials, financial_year: str | None, status: str | None) -> Json:
        """My Services: offers to the providers the user manages, for a year."""
        params = {"limit": "500"} | ({"financial_year": financial_year} if financial_year else {})
        params |= {"status": status} if status else {}
        body: Json = await self._json(creds, "GET", f"{PARTICIPATION}/my-services", params=params)
        return body

    async def offer(self, creds: Credentials, offer_id: str) -> Json:
        """One offer with its service as offered (QOF domains included)."""
        body: Json = await self._json(creds, "GET", f"{PARTICIPATION}/offers/{offer_id}")
        return body

    async def answer_offer(
        self, creds: Credentials, offer_id: str, *, accept: bool, reason: str | None
    ) -> Json:
        """Accept (it becomes Approved) or reject an offer (the commissioner is told)."""
        if accept:
            body: Json = await self._json(creds, "POST", f"{PARTICIPATION}/offers/{offer_id}/accept")
        else:
            body = await self._json(
                creds, "POST", f"{PARTICIPATION}/offers/{offer_id}/reject", json={"reason": reason}
            )
        return body

    # --- claims: claim windows, building a claim, Submit, the review queues ------------------------

    async def claim_availability(self, creds: Credentials, provider: str) -> Json:
        """Whether the provider has a +New Claim button now, and if not, why."""
        body: Json = await self._json(
            creds, "GET", f"{CLAIMS}/claims/availability", params={"provider_organisation_id": provider}
        )
        return body

    async def claims(self, creds: Credentials, provider: str) -> Json:
        """The provider's claims summary (the first 100)."""
        body: Json = await self._json(
            creds, "GET", f"{CLAIMS}/claims", params={"provider_organisation_id": provider, "page_size": 100}
        )
        return body

    async def new_claim(self, creds: Credentials, provider: str, quality_service_id: str | None) -> Json:
        """+New Claim: a Draft with its Claim ID (single-service when a service is given)."""
        body: Json = await self._json(
            creds,
            "POST",
            f"{CLAIMS}/claims",
            json={"provider_organisation_id": provider, "quality_service_id": quality_service_id},
        )
        return body

    async def claim(self, creds: Credentials, claim_id: str) -> Json:
        """A claim: lines, line totals, total, attachments, answers."""
        body: Json = await self._json(creds, "GET", f"{CLAIMS}/claims/{claim_id}")
        return body

    async def claim_panes(self, creds: Credentials, claim_id: str) -> list[Json]:
        """The services pane and, for selected services, their components."""
        found: list[Json] = await self._json(creds, "GET", f"{CLAIMS}/claims/{claim_id}/services")
        return found

    async def add_services(self, creds: Credentials, claim_id: str, quality_service_id: str | None) -> None:
        """Add All services (or one) into the components pane."""
        await self.call(
            creds,
            "POST",
            f"{CLAIMS}/claims/{claim_id}/services",
            json={"quality_service_id": quality_service_id},
        )

    async def add_components(
        self, creds: Credentials, claim_id: str, quality_service_id: str | None, component_id: str | None
    ) -> None:
        """Add All components into the claim, or Add+ one."""
        await self.call(
            creds,
            "POST",
            f"{CLAIMS}/claims/{claim_id}/components",
            json={"quality_service_id": quality_service_id, "component_id": component_id},
        )

    async def remove_components(self, creds: Credentials, claim_id: str, component_id: str | None) -> None:
        """Remove All components from the claim, or Delete one line."""
        suffix = f"/{component_id}" if component_id else ""
        await self.call(creds, "DELETE", f"{CLAIMS}/claims/{claim_id}/components{suffix}")

    async def save_claim_lines(self, creds: Credentials, claim_id: str, lines: list[Json]) -> Json:
        """Save units and answers typed on the claim pane."""
        body: Json = await self._json(
            creds, "PUT", f"{CLAIMS}/claims/{claim_id}/lines", json={"lines": lines}
        )
        return body

    async def submit_claim(self, creds: Credentials, claim_id: str, lines: list[Json]) -> Json:
        """Submit (every problem comes back at once, by field)."""
        body: Json = await self._json(
            creds, "POST", f"{CLAIMS}/claims/{claim_id}/submit", json={"lines": lines}
        )
        return body

    async def delete_claim(self, creds: Credentials, claim_id: str) -> None:
        """Delete a Draft claim."""
        await self.call(creds, "DELETE", f"{CLAIMS}/claims/{claim_id}")

    async def review_queue(self, creds: Credentials, commissioner: str, step: str) -> Json:
        """Claims waiting at one step of the commissioner's flow, oldest first."""
        body: Json = await self._json(
            creds,
            "GET",
            f"{CLAIMS}/review/queue",
            params={"commissioner_organisation_id": commissioner, "step": step, "size": 100},
        )
        return body
