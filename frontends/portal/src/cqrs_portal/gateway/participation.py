"""Calls to participation: Create Offers, Offered Services and My Services."""

from __future__ import annotations

from cqrs_portal.gateway.base import PARTICIPATION, Credentials, GatewayBase, Json


class ParticipationCalls(GatewayBase):
    """Calls to participation: Create Offers, Offered Services and My Services."""

    # --- participation: Create Offers (the five steps) -------------------------------------------

    async def quality_services(self, creds: Credentials, **filters: str) -> Json:
        """Published Quality Services available to the user's organisations (a page)."""
        params = {"published": "true", "limit": "500", **filters}
        body: Json = await self._json(creds, "GET", f"{PARTICIPATION}/quality-services", params=params)
        return body

    async def start_offer(
        self, creds: Credentials, commissioner: str, quality_service_id: str, request_id: str | None = None
    ) -> Json:
        """Step 1: start an offer of a service (a draft saved between steps); with a request's id,
        making the offer answers that Service Request."""
        body: Json = await self._json(
            creds,
            "POST",
            f"{PARTICIPATION}/offer-drafts",
            json={
                "commissioner_organisation_id": commissioner,
                "quality_service_id": quality_service_id,
                "request_id": request_id,
            },
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

    # --- participation: request a service (provider) and reissue (commissioner), CQRS Local ------

    async def request_service(
        self, creds: Credentials, provider: str, quality_service_id: str, note: str | None
    ) -> Json:
        """Ask the service's commissioner to offer it to the provider."""
        body: Json = await self._json(
            creds,
            "POST",
            f"{PARTICIPATION}/service-requests",
            json={
                "provider_organisation_id": provider,
                "quality_service_id": quality_service_id,
                "note": note,
            },
        )
        return body

    async def service_requests(self, creds: Credentials, status: str | None) -> Json:
        """Requests to the commissioners the user acts for, or from the providers they manage."""
        params = {"limit": "500"} | ({"status": status} if status else {})
        body: Json = await self._json(creds, "GET", f"{PARTICIPATION}/service-requests", params=params)
        return body

    async def reissue_offer(self, creds: Credentials, offer_id: str, dates: Json) -> Json:
        """Offer a Rejected or Cancelled offer again with new dates (it is Offered again)."""
        body: Json = await self._json(creds, "POST", f"{PARTICIPATION}/offers/{offer_id}/reissue", json=dates)
        return body
