"""Calls to claims: claim windows, building a claim, attachments, Submit, review and payment batches."""

from __future__ import annotations

import httpx

from cqrs_portal.gateway.base import CLAIMS, Credentials, GatewayBase, Json


class ClaimsCalls(GatewayBase):
    """Calls to claims: claim windows, building a claim, attachments, Submit, review and payment batches."""

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

    async def check_claim(self, creds: Credentials, claim_id: str, lines: list[Json]) -> Json:
        """Submit's checks without submitting: the claim as Submit would leave it (nothing stored);
        every problem by field, as Submit's."""
        body: Json = await self._json(
            creds, "POST", f"{CLAIMS}/claims/{claim_id}/submit/check", json={"lines": lines}
        )
        return body

    async def delete_claim(self, creds: Credentials, claim_id: str) -> None:
        """Delete a Draft claim."""
        await self.call(creds, "DELETE", f"{CLAIMS}/claims/{claim_id}")

    async def review_queue(
        self, creds: Credentials, commissioner: str, step: str, filters: dict[str, str], page: int = 1
    ) -> Json:
        """One page of the claims waiting at one step of the commissioner's flow, oldest first,
        filtered by service, provider, value band and days waiting."""
        params = {"commissioner_organisation_id": commissioner, "step": step, "page": page, "size": 20}
        body: Json = await self._json(
            creds, "GET", f"{CLAIMS}/review/queue", params=params | {k: v for k, v in filters.items() if v}
        )
        return body

    # --- attachments ----------------------------------------------------------------------------

    async def add_attachment(
        self, creds: Credentials, claim_id: str, component_id: str, file: tuple[str, bytes, str]
    ) -> Json:
        """Add Attachment: one file (name, bytes, declared type) as evidence for a component."""
        response = await self.call(
            creds,
            "POST",
            f"{CLAIMS}/claims/{claim_id}/components/{component_id}/attachments",
            files={"file": file},
        )
        body: Json = response.json()
        return body

    async def attachment_file(self, creds: Credentials, claim_id: str, attachment_id: str) -> httpx.Response:
        """Download: a file scanned clean (claims refuses any other)."""
        return await self.call(creds, "GET", f"{CLAIMS}/claims/{claim_id}/attachments/{attachment_id}/file")

    async def delete_attachment(self, creds: Credentials, claim_id: str, attachment_id: str) -> None:
        """Delete a file while the claim is a Draft or Returned."""
        await self.call(creds, "DELETE", f"{CLAIMS}/claims/{claim_id}/attachments/{attachment_id}")

    # --- review -----------------------------------------------------------------------------------

    async def review_claim(self, creds: Credentials, claim_id: str) -> Json:
        """A claim under review: lines, totals, attachments, its step and sign-offs."""
        body: Json = await self._json(creds, "GET", f"{CLAIMS}/review/claims/{claim_id}")
        return body

    async def review_flow(self, creds: Credentials, commissioner: str) -> Json:
        """The commissioner's review flow: its steps, the role of each, which may return claims."""
        body: Json = await self._json(creds, "GET", f"{CLAIMS}/review/flows/{commissioner}")
        return body

    async def save_review_flow(self, creds: Credentials, commissioner: str, flow: Json, version: int) -> Json:
        """Replace the commissioner's review flow made from ``version`` (every problem by field; 412
        when someone saved since; nothing saved on refusal)."""
        body: Json = await self._json(
            creds,
            "PUT",
            f"{CLAIMS}/review/flows/{commissioner}",
            json=flow,
            headers={"If-Match": f'"{version}"'},
        )
        return body

    async def claim_history(self, creds: Credentials, claim_id: str) -> list[Json]:
        """Every event of the claim and its attachments: what, who and when."""
        found: list[Json] = await self._json(creds, "GET", f"{CLAIMS}/claims/{claim_id}/history")
        return found

    async def decide_claim(
        self, creds: Credentials, claim_id: str, decision: str, reason: str | None
    ) -> Json:
        """Approve, Reject (with a reason) or Return to the provider (with a reason)."""
        body: Json = await self._json(
            creds,
            "POST",
            f"{CLAIMS}/review/claims/{claim_id}/{decision}",
            json={} if decision == "approve" else {"reason": reason},
        )
        return body

    # --- bulk claims -------------------------------------------------------------------------------

    async def bulk_template(
        self, creds: Credentials, commissioner: str, quality_service_id: str
    ) -> httpx.Response:
        """The pre-filled bulk claims workbook of one service (its Content-Disposition names the file)."""
        params = {"commissioner_organisation_id": commissioner, "quality_service_id": quality_service_id}
        return await self.call(creds, "GET", f"{CLAIMS}/bulk-claims/template", params=params)

    async def bulk_upload(
        self, creds: Credentials, commissioner: str, quality_service_id: str, file: tuple[str, bytes, str]
    ) -> Json:
        """Upload a filled-in workbook: the claims it made, or every wrong cell by row and column."""
        params = {"commissioner_organisation_id": commissioner, "quality_service_id": quality_service_id}
        response = await self.call(
            creds, "POST", f"{CLAIMS}/bulk-claims", params=params, files={"file": file}
        )
        body: Json = response.json()
        return body

    # --- payment batches --------------------------------------------------------------------------

    async def payment_batches(
        self, creds: Credentials, commissioner: str, status: str, page: int = 1
    ) -> Json:
        """One page of the commissioner's payment batches, newest first."""
        params: Json = {"commissioner_organisation_id": commissioner, "page": page, "size": 20}
        if status:
            params["status"] = status
        body: Json = await self._json(creds, "GET", f"{CLAIMS}/payment-batches", params=params)
        return body

    async def payment_batch(self, creds: Credentials, batch_id: str) -> Json:
        """One payment batch: its claims, items, sends and answers."""
        body: Json = await self._json(creds, "GET", f"{CLAIMS}/payment-batches/{batch_id}")
        return body

    async def payment_batch_csv(self, creds: Credentials, batch_id: str) -> httpx.Response:
        """The batch as CSV (its Content-Disposition names the file)."""
        return await self.call(creds, "GET", f"{CLAIMS}/payment-batches/{batch_id}/csv")
