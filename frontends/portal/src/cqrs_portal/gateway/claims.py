"""Calls to claims: claim windows, building a claim, Submit, the review queues."""

from __future__ import annotations

from cqrs_portal.gateway.base import CLAIMS, Credentials, GatewayBase, Json


class ClaimsCalls(GatewayBase):
    """Calls to claims: claim windows, building a claim, Submit, the review queues."""

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
