"""Attachment routes: Add Attachment (a multipart upload streamed to S3), list, Download (clean
files only), Delete (while the claim is a Draft or Returned)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import StreamingResponse

from cqrs_claims.attachments.service import Evidence
from cqrs_claims.claims.problems import as_problems
from cqrs_claims.claims.views import AttachmentView
from cqrs_claims.claims.wiring import evidence_of
from cqrs_contracts.values import Id
from cqrs_kit.auth import CurrentUser
from cqrs_kit.runtime import Runtime, RuntimeDep

router = APIRouter(tags=["attachments"])

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


def _evidence(runtime: Runtime) -> Evidence:
    return evidence_of(runtime)


@router.post(
    "/claims/{claim_id}/components/{component_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_UPLOAD_BODY,
    responses={413: {"description": "the file is over the size limit"}},
)
async def add_attachment(
    claim_id: Id, component_id: Id, request: Request, user: CurrentUser, runtime: RuntimeDep
) -> AttachmentView:
    """Add Attachment: one file in a multipart part named ``file``; its type must be one the
    component's evidence requirement accepts. It is Pending System Review until scanned."""
    evidence = _evidence(runtime)
    claim = await evidence.claims.prepared(user, claim_id)
    with as_problems():
        evidence.objects.refuse_declared_size(request.headers.get("content-length"))
        attachment = await evidence.upload(
            user,
            claim,
            component_id,
            content_type=request.headers.get("content-type", ""),
            body=request.stream(),
            correlation_id=request.state.correlation_id,
        )
    return AttachmentView.of(attachment)


@router.get("/claims/{claim_id}/attachments")
async def list_attachments(claim_id: Id, user: CurrentUser, runtime: RuntimeDep) -> list[AttachmentView]:
    """The claim's attachments and their statuses (with the scanner's reasons when refused)."""
    evidence = _evidence(runtime)
    claim = await evidence.claims.visible(user, claim_id)
    return [AttachmentView.of(a) for a in await evidence.claims.attachments_of(claim)]


@router.get(
    "/claims/{claim_id}/attachments/{attachment_id}/file",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download(
    claim_id: Id, attachment_id: Id, user: CurrentUser, runtime: RuntimeDep
) -> StreamingResponse:
    """Download a file, only once it was scanned clean (never an infected or rejected one)."""
    evidence = _evidence(runtime)
    claim = await evidence.claims.visible(user, claim_id)
    attachment = await evidence.of(claim, attachment_id)
    chunks = evidence.download(attachment)
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in attachment.file_name)
    return StreamingResponse(
        chunks,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.delete("/claims/{claim_id}/attachments/{attachment_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_attachment(
    claim_id: Id, attachment_id: Id, request: Request, user: CurrentUser, runtime: RuntimeDep
) -> Response:
    """Delete a file while the claim is a Draft or Returned (then Add Attachment again)."""
    evidence = _evidence(runtime)
    claim = await evidence.claims.prepared(user, claim_id)
    with as_problems():
        await evidence.delete(user, claim, attachment_id, request.state.correlation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
