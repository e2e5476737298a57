"""Payment batches (CQRS Local, Finance): the commissioner's batches by status, one batch with its
claims and what the payment system answered, and its CSV."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.pages.claims import PAYMENT_VIEWERS
from cqrs_portal.web import GatewayDep, UserDep, render

router = APIRouter(prefix="/claims/payment-batches")
HOME = {"text": "Home", "href": "/"}
CLAIMS = {"text": "Claims", "href": "/claims"}
BATCHES = {"text": "Payment batches", "href": "/claims/payment-batches"}
STATUSES = ("Sent", "Answered", "Flagged")


@router.get("")
async def batches(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """The commissioner's payment batches, newest first, by status and paged."""
    mine = user.organisations_with(PAYMENT_VIEWERS)
    query = request.query_params
    commissioner = query.get("commissioner", "")
    commissioner = commissioner if commissioner in mine else (mine[0] if mine else "")
    status = query.get("status", "") if query.get("status", "") in STATUSES else ""
    page = int(query["page"]) if query.get("page", "").isdigit() and int(query["page"]) > 0 else 1
    found: dict[str, Any] = {"items": [], "total": 0, "size": 20}
    if commissioner:
        found = await gateway.payment_batches(user.session, commissioner, status, page)
    pages = max(1, -(-found["total"] // found["size"]))
    base = f"/claims/payment-batches?commissioner={commissioner}&status={status}&page="
    return render(
        request,
        "payment_batches.jinja",
        {
            "title": "Payment batches",
            "commissioners": mine,
            "commissioner": commissioner,
            "status": status,
            "statuses": STATUSES,
            "items": found["items"],
            "total": found["total"],
            "page": page,
            "pages": pages,
            "previous": f"{base}{page - 1}" if page > 1 else None,
            "next": f"{base}{page + 1}" if page < pages else None,
            "column": "nhsuk-grid-column-full",
            "breadcrumbs": [HOME, CLAIMS, BATCHES],
        },
    )


@router.get("/{batch_id}")
async def batch(request: Request, batch_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """One batch: its status, sends and answers, and the claims it pays with each one's status."""
    found = await gateway.payment_batch(user.session, batch_id)
    claims = []
    for claim_id in found["claim_ids"]:
        items = [i for i in found["items"] if i["claim_id"] == claim_id]
        claims.append(
            {
                "claim_id": claim_id,
                "provider": items[0]["provider_organisation_id"] if items else "",
                "paycodes": sorted({i["paycode"] for i in items}),
                "amount_pence": sum(i["amount_pence"] for i in items),
                "answered": claim_id in found["answered"],
            }
        )
    return render(
        request,
        "payment_batch.jinja",
        {
            "title": f"Payment batch {batch_id}",
            "batch": found,
            "claims": claims,
            "column": "nhsuk-grid-column-full",
            "breadcrumbs": [HOME, CLAIMS, BATCHES, {"text": batch_id, "href": request.url.path}],
        },
    )


@router.get("/{batch_id}/csv")
async def batch_csv(batch_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """The batch as CSV, as claims writes it for the payment system."""
    found = await gateway.payment_batch_csv(user.session, batch_id)
    return Response(
        found.content,
        media_type="text/csv",
        headers={
            "Content-Disposition": found.headers.get(
                "content-disposition", f'attachment; filename="payment-batch-{batch_id}.csv"'
            )
        },
    )
