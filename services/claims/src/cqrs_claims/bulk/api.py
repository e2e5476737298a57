"""Bulk claims routes: download the pre-filled workbook of a service; upload it filled in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from cqrs_claims.bulk import workbook
from cqrs_claims.bulk.service import BulkClaims, WorkbookRefused
from cqrs_claims.claims.domain import money
from cqrs_claims.claims.problems import TYPE_BASE, ClaimProblem
from cqrs_contracts.values import Id, OdsCode
from cqrs_kit.auth import CurrentUser
from cqrs_kit.errors import PROBLEM_JSON
from cqrs_kit.runtime import Runtime, RuntimeDep

router = APIRouter(tags=["bulk claims"])
#: The largest workbook accepted (a template of hundreds of providers is well under 1 MiB).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
ServiceId = Annotated[Id, Query(pattern=r"^[\x21-\x7e]+$")]
BULK = "bulk"


def bulk_of(runtime: Runtime) -> BulkClaims:
    """The bulk claims use cases wired into a runtime."""
    bulk: BulkClaims = runtime.extras[BULK]
    return bulk


class BulkClaim(BaseModel):
    """A claim made by a bulk upload, now waiting at the first step of review."""

    claim_id: str
    provider_organisation_id: str
    status: str
    total_pence: int
    total: str
    submitted_by: str | None


class BulkUploaded(BaseModel):
    """What an accepted workbook made: one claim per provider with something claimed."""

    claims: list[BulkClaim]


@router.get(
    "/bulk-claims/template",
    response_class=Response,
    responses={200: {"content": {workbook.MEDIA_TYPE: {}}}},
)
async def template(
    commissioner_organisation_id: OdsCode,
    quality_service_id: ServiceId,
    user: CurrentUser,
    runtime: RuntimeDep,
) -> Response:
    """The pre-filled workbook of one service (Local Approver Tier 1): a row per provider with an
    approved offer in your scope and component; fill in Units (and answers) and upload it."""
    data = await bulk_of(runtime).template(user, commissioner_organisation_id, quality_service_id)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in quality_service_id)[:60]
    return Response(
        data,
        media_type=workbook.MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="bulk-claims-{safe}.xlsx"'},
    )


@router.post(
    "/bulk-claims",
    status_code=status.HTTP_201_CREATED,
    response_model=BulkUploaded,
    responses={
        409: {"description": "this workbook was uploaded already"},
        413: {"description": "the workbook is over the size limit"},
        422: {"description": "rows to put right, each by row and column; nothing stored"},
    },
)
async def upload(
    *,
    commissioner_organisation_id: OdsCode,
    quality_service_id: ServiceId,
    file: Annotated[UploadFile, File(description="the filled-in workbook (XLSX)")],
    request: Request,
    user: CurrentUser,
    runtime: RuntimeDep,
) -> Any:
    """Upload a filled-in workbook. Every row is checked and each wrong cell is answered with its row
    and column; if any is wrong nothing is stored. Otherwise each provider's rows become one claim,
    submitted on its behalf (you are its submitter), that another Tier 1 approver and then Tier 2
    review."""
    bulk = bulk_of(runtime)
    await bulk.service(user, commissioner_organisation_id, quality_service_id)  # who may, before reading
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        msg = f"the workbook is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB"
        raise ClaimProblem(msg, status=413, title="File too large", field="file")
    try:
        claims = await bulk.upload(
            user, commissioner_organisation_id, quality_service_id, data, request.state.correlation_id
        )
    except WorkbookRefused as exc:
        body = {
            "type": TYPE_BASE + "bulk-claims-refused",
            "title": "The workbook has rows to put right",
            "status": 422,
            "detail": f"{len(exc.errors)} cell(s) to put right; nothing was stored",
            "instance": request.url.path,
            "errors": exc.errors,
        }
        return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON)
    return BulkUploaded(
        claims=[
            BulkClaim(
                claim_id=c.claim_id,
                provider_organisation_id=c.provider_organisation_id,
                status=c.status.value,
                total_pence=c.total_pence,
                total=money.pounds(c.total_pence),
                submitted_by=c.submitted_by,
            )
            for c in claims
        ]
    )
