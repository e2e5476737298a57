"""Calls to claims' achievement and declarations: Declaration Management (declare, approve, finance
approve) and Data submission › Network achievement."""

from __future__ import annotations

from cqrs_portal.gateway.base import CLAIMS, Credentials, GatewayBase, Json


class AchievementCalls(GatewayBase):
    """Calls to claims' achievement and declarations routes."""

    async def declarations(
        self, creds: Credentials, *, status: str | None, quality_service_id: str | None, offset: int = 0
    ) -> Json:
        """A page of the declarations the user may see (up to 200), by status and Quality Service."""
        params = {"offset": str(offset), "limit": "200"}
        params |= {"status": status} if status else {}
        params |= {"quality_service_id": quality_service_id} if quality_service_id else {}
        body: Json = await self._json(creds, "GET", f"{CLAIMS}/declarations", params=params)
        return body

    async def declaration(self, creds: Credentials, declaration_id: str) -> Json:
        """One declaration with its figures and status."""
        body: Json = await self._json(creds, "GET", f"{CLAIMS}/declarations/{declaration_id}")
        return body

    async def declaration_breakdown(self, creds: Credentials, declaration_id: str) -> Json:
        """The figures behind a declaration: each practice, each indicator."""
        body: Json = await self._json(creds, "GET", f"{CLAIMS}/declarations/{declaration_id}/breakdown")
        return body

    async def declare(self, creds: Credentials, declaration_id: str) -> Json:
        """The provider (for a PCN, a nominated person) declares its achievement and payment."""
        body: Json = await self._json(creds, "POST", f"{CLAIMS}/declarations/{declaration_id}/declare")
        return body

    async def approve_declarations(
        self,
        creds: Credentials,
        declaration_ids: list[str],
        *,
        select_all: bool = False,
        status: str | None = None,
        quality_service_id: str | None = None,
    ) -> Json:
        """Approve the ticked declarations (or all matching the filters), each at its next step:
        the commissioning organisation's approval, or finance approval. A result each."""
        body: Json = await self._json(
            creds,
            "POST",
            f"{CLAIMS}/declarations/approve",
            json={
                "declaration_ids": declaration_ids,
                "select_all": select_all,
                "status": status,
                "quality_service_id": quality_service_id,
            },
        )
        return body

    async def network_achievement(
        self, creds: Credentials, *, pcn: str, quality_service_id: str, financial_year: str, day: str | None
    ) -> Json:
        """Network achievement of a PCN: its practices' points and payment on the achievement date
        (the latest when none is given), and the dates there is data for."""
        params = {"pcn": pcn, "quality_service_id": quality_service_id, "financial_year": financial_year}
        params |= {"achievement_date": day} if day else {}
        body: Json = await self._json(creds, "GET", f"{CLAIMS}/achievement/network", params=params)
        return body
