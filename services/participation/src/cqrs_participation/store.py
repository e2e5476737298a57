"""Participation's collections, the one-live-offer lock and paged reads: the only module that knows
how participation's documents are laid out in MongoDB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from pymongo.errors import BulkWriteError, DuplicateKeyError

from cqrs_kit.aggregates import Aggregates
from cqrs_kit.mongo import Collection, Index
from cqrs_kit.outbox import OUTBOX
from cqrs_kit.runtime import Runtime
from cqrs_participation.domain.catalogue import QualityService
from cqrs_participation.domain.drafts import OfferDraft
from cqrs_participation.domain.offers import Offer
from cqrs_participation.domain.requests import ServiceRequest

SERVICES = "quality_services"
DRAFTS = "offer_drafts"
OFFERS = "offers"
REQUESTS = "service_requests"
LIVE = "live_offers"
OUTBOX_COLLECTIONS = [SERVICES, DRAFTS, OFFERS, REQUESTS]
INDEXES = [
    Index(OFFERS, ["commissioner_organisation_id", "financial_year"]),
    Index(OFFERS, ["provider_organisation_id", "financial_year"]),
    Index(OFFERS, ["quality_service_id", "status"]),
    Index(SERVICES, ["owner"]),
    Index(DRAFTS, ["commissioner_organisation_id"]),
    Index(REQUESTS, ["commissioner_organisation_id", "status"]),
]
IN_FLIGHT = dt.timedelta(minutes=2)
"""How long a live-offer lock without its offer counts as an offer still being saved."""

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


@dataclass
class Stores:
    """The aggregates of participation, and the live-offer lock collection."""

    services: Aggregates[QualityService]
    drafts: Aggregates[OfferDraft]
    offers: Aggregates[Offer]
    requests: Aggregates[ServiceRequest]
    live: Collection


def stores(runtime: Runtime) -> Stores:
    """The stores of this process (built once per runtime)."""
    found = runtime.extras.get("participation_stores")
    if found is None:
        found = Stores(
            services=Aggregates(runtime, SERVICES, QualityService, "quality_service_id"),
            drafts=Aggregates(runtime, DRAFTS, OfferDraft, "draft_id"),
            offers=Aggregates(runtime, OFFERS, Offer, "offer_id"),
            requests=Aggregates(runtime, REQUESTS, ServiceRequest, "request_id"),
            live=runtime.mongo.collection(LIVE),
        )
        runtime.extras["participation_stores"] = found
    assert isinstance(found, Stores)
    return found


@dataclass
class Page(Generic[T]):
    """One page of a list and how many items the whole list has."""

    items: list[T]
    total: int


async def page(
    aggregates: Aggregates[M],
    id_field: str,
    query: Mapping[str, Any],
    *,
    sort: list[tuple[str, int]],
    limit: int,
    number: int,
) -> Page[M]:
    """One page (numbered from 1) of the aggregates matching a query, in a stable order."""
    collection = aggregates.collection
    total = await collection.count_documents(dict(query))
    cursor = collection.find(dict(query), {OUTBOX: 0}).sort([*sort, ("_id", 1)]).skip((number - 1) * limit)
    model = aggregates_model(aggregates)
    items = [model.model_validate({**doc, id_field: doc["_id"]}) async for doc in cursor.limit(limit)]
    return Page(items, total)


def aggregates_model(aggregates: Aggregates[M]) -> type[M]:
    """The model an Aggregates loads (kept beside the kit's private name in one place)."""
    model: type[M] = aggregates._model
    return model


async def hold_live(
    live: Collection,
    key: str,
    offer_id: str,
    is_live: Callable[[str], Awaitable[bool | None]],
    now: dt.datetime,
) -> str | None:
    """Take the one live-offer slot of (service, provider) for an offer; return the holder when taken.

    The slot is an insert under a unique ``_id`` (the commit point across replicas). A slot held
    by an offer that is no longer live, or left by a save that never happened, is taken over.
    """
    holder: str | None = None
    for _ in range(3):
        try:
            await live.insert_one({"_id": key, "offer_id": offer_id, "at": now})
        except DuplicateKeyError:
            doc = await live.find_one({"_id": key})
            if doc is None:
                continue
            holder = str(doc["offer_id"])
            if holder == offer_id:
                return None
            state = await is_live(holder)
            at = doc["at"] if doc["at"].tzinfo else doc["at"].replace(tzinfo=dt.UTC)
            if state or (state is None and now - at < IN_FLIGHT):
                return holder
            await live.delete_one({"_id": key, "offer_id": holder})
        else:
            return None
    return holder


async def hold_live_many(live: Collection, slots: dict[str, str], now: dt.datetime) -> set[str]:
    """Take many slots (key -> offer id) in one write; return the keys another offer holds."""
    if not slots:
        return set()
    docs = [{"_id": key, "offer_id": offer_id, "at": now} for key, offer_id in slots.items()]
    try:
        await live.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        keys = list(slots)
        return {keys[error["index"]] for error in exc.details.get("writeErrors", [])}
    return set()


async def release_live(live: Collection, key: str, offer_id: str) -> None:
    """Free the slot if this offer still holds it (it left Offered/Approved)."""
    await live.delete_one({"_id": key, "offer_id": offer_id})
