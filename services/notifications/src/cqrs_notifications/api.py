"""Notifications HTTP routes: the Message Centre of the calling user."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from cqrs_kit import clock
from cqrs_kit.auth import CurrentUser
from cqrs_kit.errors import NotFound
from cqrs_kit.runtime import RuntimeDep
from cqrs_notifications.access import visible_to
from cqrs_notifications.store import Item, ItemStatus, ItemStore

router = APIRouter(tags=["message-centre"])

OdsCode = Annotated[str, Query(min_length=3, max_length=12, pattern=r"^[A-Z0-9]+$")]


class ItemView(Item):
    """An item as its reader sees it: with whether they have read it."""

    read: bool


class ItemPage(BaseModel):
    """One page of items, newest first, and how many match in all."""

    items: list[ItemView]
    total: int
    page: int
    limit: int


class UnreadCount(BaseModel):
    """Items the caller has not read yet (closed tasks are not counted)."""

    tasks: int
    messages: int
    total: int


def _filters(
    kind: Literal["task", "message"] | None, organisation: str | None, status: ItemStatus | None
) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if kind:
        query["kind"] = kind
    if organisation:
        query["organisation"] = organisation
    if status:
        query["status"] = status
    return query


@router.get("/items")
async def list_items(
    runtime: RuntimeDep,
    user: CurrentUser,
    *,
    kind: Literal["task", "message"] | None = None,
    organisation: OdsCode | None = None,
    status: ItemStatus | None = None,
    read: bool | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ItemPage:
    """The caller's tasks and messages across their organisations, newest first, filterable by kind,
    organisation, status (tasks: open or closed; messages: sent) and whether they were read."""
    store = ItemStore(runtime.mongo)
    query = {"$and": [await visible_to(runtime, user), _filters(kind, organisation, status)]}
    if read is not None:
        read_ids = sorted(await store.read_ids(user.user_id))
        query["$and"].append({"_id": {"$in" if read else "$nin": read_ids}})
    items, total = await store.page(query, skip=(page - 1) * limit, limit=limit)
    seen = await store.read_ids(user.user_id, [i.item_id for i in items])
    views = [ItemView(**i.model_dump(), read=i.item_id in seen) for i in items]
    return ItemPage(items=views, total=total, page=page, limit=limit)


@router.get("/items/unread-count")
async def unread_count(runtime: RuntimeDep, user: CurrentUser) -> UnreadCount:
    """How many of the caller's open tasks and messages they have not read."""
    store = ItemStore(runtime.mongo)
    unread = {"_id": {"$nin": sorted(await store.read_ids(user.user_id))}, "status": {"$ne": "closed"}}
    visible = await visible_to(runtime, user)
    tasks = await store.count({"$and": [visible, unread, {"kind": "task"}]})
    messages = await store.count({"$and": [visible, unread, {"kind": "message"}]})
    return UnreadCount(tasks=tasks, messages=messages, total=tasks + messages)


@router.post("/items/{item_id}/read", status_code=204)
async def mark_read(
    runtime: RuntimeDep,
    user: CurrentUser,
    item_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")],
) -> Response:
    """Mark one of the caller's items read (marking it again changes nothing)."""
    store = ItemStore(runtime.mongo)
    if not await store.count({"$and": [await visible_to(runtime, user), {"_id": item_id}]}):
        raise NotFound(f"no item {item_id} in your Message Centre", field="item_id")
    await store.mark_read(user.user_id, item_id, clock.now())
    return Response(status_code=204)


@router.get("/tasks")
async def list_tasks(
    runtime: RuntimeDep,
    user: CurrentUser,
    *,
    organisation: OdsCode | None = None,
    status: Literal["open", "closed"] | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ItemPage:
    """The caller's tasks only (the Message Centre's task list)."""
    return await list_items(
        runtime, user, kind="task", organisation=organisation, status=status, page=page, limit=limit
    )
