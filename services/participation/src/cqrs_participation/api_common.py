"""Shared pieces of participation's routes: the use-case context, paging and the page shape."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from cqrs_kit.auth import CurrentUser
from cqrs_kit.runtime import RuntimeDep
from cqrs_participation.context import Context
from cqrs_participation.store import Page
from cqrs_participation.views import Paging

T = TypeVar("T")


def _context(request: Request, runtime: RuntimeDep, user: CurrentUser) -> Context:
    return Context(runtime, user, getattr(request.state, "correlation_id", None))


Ctx = Annotated[Context, Depends(_context)]
"""The caller's use-case context (needs a valid access token)."""


def _paging(
    limit: Annotated[int, Query(ge=1, le=500, description="items per page")] = 50,
    page: Annotated[int, Query(ge=1, le=100_000, description="page number, from 1")] = 1,
    search: Annotated[str | None, Query(max_length=100, description="part of a code or name")] = None,
) -> Paging:
    return Paging(limit=limit, number=page, search=search)


PagingDep = Annotated[Paging, Depends(_paging)]
"""``limit``, ``page`` and ``search`` query parameters."""


class PageOut(BaseModel, Generic[T]):
    """One page of a list: its items, the whole list's size, and where the page is."""

    items: list[T]
    total: int
    limit: int
    page: int


def paged(found: Page[T], paging: Paging) -> PageOut[T]:
    """The response shape of a page."""
    return PageOut[T](items=found.items, total=found.total, limit=paging.limit, page=paging.number)
