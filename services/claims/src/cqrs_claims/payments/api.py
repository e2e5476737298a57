"""Payment batch routes: the commissioner's batches, one batch, and its CSV for the payment system."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from cqrs_claims.claims.domain import money
from cqrs_claims.payments.domain import PaymentBatch
from cqrs_claims.payments.service import Payments
from cqrs_claims.review.wiring import payments_of
from cqrs_contracts.events import PaymentItem
from cqrs_contracts.values import Id, OdsCode
from cqrs_kit.auth import CurrentUser, Principal
from cqrs_kit.errors import NotFound
from cqrs_kit.runtime import RuntimeDep

router = APIRouter(tags=["payments"])
#: Who sees a commissioner's payment batches.
PAYMENT_VIEWERS = ("Local Finance", "Local Approver Tier 2", "Commissioning Management", "Finance View")


class BatchView(BaseModel):
    """A payment batch as the commissioner sees it."""

    batch_id: str
    commissioner_organisation_id: str
    day: dt.date
    status: str
    attempts: int
    last_sent_at: dt.datetime | None
    flagged_at: dt.datetime | None
    claim_ids: list[str]
    answered: list[str]
    items: list[PaymentItem]
    total_pence: int
    total: str

    @classmethod
    def of(cls, batch: PaymentBatch) -> BatchView:
        """The view of a batch."""
        return cls(
            **batch.model_dump(exclude={"version"}),
            claim_ids=batch.claim_ids,
            total_pence=batch.total_pence,
            total=money.pounds(batch.total_pence),
        )


class BatchPage(BaseModel):
    """One page of payment batches."""

    total: int
    page: int
    size: int
    items: list[BatchView]


async def _batch(payments: Payments, user: Principal, batch_id: str) -> PaymentBatch:
    batch = await payments.store.aggregates.get(batch_id)
    directory = payments.claims.runtime.directory
    if batch is None or not await directory.may(user, PAYMENT_VIEWERS, batch.commissioner_organisation_id):
        raise NotFound(f"no payment batch {batch_id}")
    return batch


@router.get("/payment-batches")
async def list_batches(
    *,
    commissioner_organisation_id: OdsCode,
    user: CurrentUser,
    runtime: RuntimeDep,
    status: Literal["Sent", "Answered", "Flagged"] | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> BatchPage:
    """The commissioner's payment batches, newest first, filtered by status and paged."""
    payments = payments_of(runtime)
    await runtime.directory.require(
        user, PAYMENT_VIEWERS, commissioner_organisation_id, field="commissioner_organisation_id"
    )
    query: dict[str, str] = {"commissioner_organisation_id": commissioner_organisation_id}
    if status is not None:
        query["status"] = status
    total, batches = await payments.store.page(query, page=page, size=size)
    return BatchPage(total=total, page=page, size=size, items=[BatchView.of(b) for b in batches])


@router.get("/payment-batches/{batch_id}")
async def get_batch(batch_id: Id, user: CurrentUser, runtime: RuntimeDep) -> BatchView:
    """One payment batch: what it pays, its sends and the answers so far."""
    return BatchView.of(await _batch(payments_of(runtime), user, batch_id))


@router.get("/payment-batches/{batch_id}/csv", response_class=Response)
async def batch_csv(batch_id: Id, user: CurrentUser, runtime: RuntimeDep) -> Response:
    """The batch as CSV, one row per provider, paycode and claim, amounts in pence and pounds."""
    batch = await _batch(payments_of(runtime), user, batch_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "batch_id",
            "claim_id",
            "provider_organisation_id",
            "quality_service_id",
            "paycode",
            "amount_pence",
            "amount",
        ]
    )
    for item in batch.items:
        writer.writerow(
            [
                batch.batch_id,
                item.claim_id,
                item.provider_organisation_id,
                item.quality_service_id,
                item.paycode,
                item.amount_pence,
                f"{item.amount_pence // 100}.{item.amount_pence % 100:02d}",
            ]
        )
    name = f"payment-batch-{batch.batch_id}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
