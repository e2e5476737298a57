"""Bulk claims use cases: a Tier 1 commissioner downloads the pre-filled workbook of one service
and uploads it filled in; every row is checked before anything is stored, then each provider's
claim is built, submitted on its behalf (the commissioner is its submitter) and enters review."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from pymongo.errors import DuplicateKeyError

from cqrs_claims.bulk import workbook
from cqrs_claims.bulk.domain import (
    MAX_ROWS,
    BulkRefused,
    Context,
    ProviderClaim,
    RowProblem,
    check_rows,
    claim_events,
    columns,
)
from cqrs_claims.catalogue.domain import ServiceVersion
from cqrs_claims.claims.domain.claim import Claim, fold
from cqrs_claims.claims.domain.windows import london_today
from cqrs_claims.claims.problems import ClaimProblem
from cqrs_claims.claims.service import Claims
from cqrs_kit import clock
from cqrs_kit.auth import Principal
from cqrs_kit.errors import NotFound
from cqrs_kit.mongo import Index

#: The role that uploads bulk claims (the claims then need another Tier 1 approver, then Tier 2).
UPLOADER = "Local Approver Tier 1"
UPLOADS = "bulk_uploads"
INDEXES: list[Index] = [Index(UPLOADS, ["commissioner_organisation_id"])]


class WorkbookRefused(ValueError):
    """Rows of the workbook are wrong: each with its row, column letter, header and field."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} wrong cell(s)")
        self.errors = errors


@dataclass
class BulkClaims:
    """Bulk claims, wired once per process beside the claims."""

    claims: Claims

    @property
    def _uploads(self) -> Any:
        return self.claims.runtime.mongo.collection(UPLOADS)

    async def service(self, principal: Principal, commissioner: str, service_id: str) -> ServiceVersion:
        """The service, if the caller approves claims at Tier 1 for the commissioner that owns it."""
        await self.claims.runtime.directory.require(
            principal, UPLOADER, commissioner, field="commissioner_organisation_id"
        )
        service = await self.claims.catalogue.latest(service_id)
        if service is None or service.commissioner_organisation_id != commissioner:
            raise NotFound(f"{commissioner} has published no service {service_id}")
        return service

    async def _context(self, principal: Principal, service: ServiceVersion) -> Context:
        scope = await self.claims.runtime.directory.organisations_where(principal, UPLOADER)
        offers = {
            o.provider_organisation_id: o
            for o in await self.claims.catalogue.offered(service.quality_service_id)
            if o.service.commissioner_organisation_id == service.commissioner_organisation_id
        }
        taken: dict[str, set[str]] = {}
        query = {"provider_organisation_id": {"$in": sorted(offers.keys() & scope)}}
        async for doc in self.claims.store.aggregates.collection.find(
            query, {"taken": 1, "provider_organisation_id": 1}
        ):
            taken.setdefault(doc["provider_organisation_id"], set()).update(doc.get("taken", []))
        return Context(service, offers, frozenset(scope), taken, london_today(clock.now()))

    async def template(self, principal: Principal, commissioner: str, service_id: str) -> bytes:
        """The pre-filled workbook: a row per component for every provider in scope with an
        approved offer of the service."""
        service = await self.service(principal, commissioner, service_id)
        context = await self._context(principal, service)
        directory = self.claims.runtime.directory
        rows: list[workbook.TemplateRow] = []
        for provider in sorted(p for p in context.offers if p in context.in_scope):
            info = await directory.organisation(provider)
            rows += [
                workbook.TemplateRow(provider, info.name if info else "", c.component_id)
                for c in context.offers[provider].service.components
                if service.component(c.component_id) is not None
            ]
        return workbook.template(service, rows)

    async def upload(
        self, principal: Principal, commissioner: str, service_id: str, data: bytes, correlation_id: str
    ) -> list[Claim]:
        """Check every row; then one claim per provider, submitted on its behalf, in review."""
        service = await self.service(principal, commissioner, service_id)
        if await self._uploads.find_one({"_id": _upload_id(commissioner, data)}, {"_id": 1}):
            raise _already_uploaded()
        headers = dict(columns(service))
        letters: dict[str, str] = {}
        try:
            letters, rows = workbook.read(data, service, MAX_ROWS)
            context = await self._context(principal, service)
            planned = check_rows(rows, context)
            now = clock.now()
            problems: list[RowProblem] = []
            for claim in planned:  # the claim pane's own rules, before any Claim ID is taken
                try:
                    claim_events("0", claim, context, upload_id="0", actor=principal.user_id, now=now)
                except BulkRefused as exc:
                    problems += exc.problems
            if problems:
                raise BulkRefused(problems)
        except (BulkRefused, workbook.MissingColumns) as exc:
            raise WorkbookRefused([_located(p, letters, headers) for p in exc.problems]) from exc
        except workbook.NotAWorkbook as exc:
            raise ClaimProblem(
                str(exc), status=422, title="Not a bulk claims workbook", field="file"
            ) from exc
        await self._once(principal, commissioner, service_id, data, planned)
        upload_id = _upload_id(commissioner, data)
        saved = [
            await self._save(principal, (claim, upload_id), context, now, correlation_id) for claim in planned
        ]
        await self._uploads.update_one(
            {"_id": upload_id}, {"$set": {"claim_ids": [c.claim_id for c in saved]}}
        )
        return saved

    async def _once(
        self,
        principal: Principal,
        commissioner: str,
        service_id: str,
        data: bytes,
        planned: list[ProviderClaim],
    ) -> None:
        """The same workbook is taken once (an upload repeated after a timeout claims nothing twice)."""
        try:
            await self._uploads.insert_one(
                {
                    "_id": _upload_id(commissioner, data),
                    "commissioner_organisation_id": commissioner,
                    "quality_service_id": service_id,
                    "providers": [c.provider for c in planned],
                    "uploaded_by": principal.user_id,
                    "uploaded_at": dt.datetime.now(dt.UTC),
                    "claim_ids": [],
                }
            )
        except DuplicateKeyError as exc:
            raise _already_uploaded() from exc

    async def _save(
        self,
        principal: Principal,
        planned: tuple[ProviderClaim, str],
        context: Context,
        now: dt.datetime,
        correlation_id: str,
    ) -> Claim:
        claim, upload_id = planned
        claim_id = await self.claims.store.next_claim_id()
        built, events, submitted = claim_events(
            claim_id, claim, context, upload_id=upload_id, actor=principal.user_id, now=now
        )
        follow = self.claims.after_system_review
        entered = await follow(built, submitted) if follow is not None else []
        everything = [*events, *submitted, *entered]
        return await self.claims.store.save(
            None, fold(None, everything), everything, correlation_id=correlation_id, actor=principal.user_id
        )


def _already_uploaded() -> ClaimProblem:
    msg = "this workbook has already been uploaded: its claims are in the Tier 1 queue"
    return ClaimProblem(msg, status=409, title="Already uploaded", field="file")


def _upload_id(commissioner: str, data: bytes) -> str:
    return f"{commissioner}:{hashlib.sha256(data).hexdigest()}"


def _located(problem: RowProblem, letters: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
    """A wrong cell as the problem lists it: row, column letter, header, field, message, type."""
    return {
        "row": problem.row,
        "column": letters.get(problem.column, ""),
        "header": headers.get(problem.column, problem.column),
        "field": f"rows.{problem.row}.{problem.column}",
        "message": problem.message,
        "type": problem.type,
    }
