"""Grouped lookups: concurrent reads of single documents by ``_id`` answered by one query.

Under load a consumer runs many handlers at once, and each loads its aggregate by ``_id``: one
``find`` per handler is one round trip, one FerretDB command and one PostgreSQL query each. Here
the lookups that arrive while an earlier query is in flight are gathered and sent as one
``{"_id": {"$in": [...]}}`` (served by the ``_id`` index on FerretDB and MongoDB alike), and each
caller gets its own document back, or None. A lone lookup is sent at once, so nothing waits for
company. A lookup never joins a query already sent, so it sees every write that finished before
it was asked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from cqrs_kit.mongo import Collection, Document

#: At most this many ids in one query.
MAX_BATCH = 500
#: At most this many queries in flight at once for one collection (and projection).
READERS = 2


class GroupFind:
    """Lookups by ``_id`` in one collection, batched while earlier ones are being answered."""

    def __init__(
        self,
        collection: Collection,
        projection: Mapping[str, Any] | None = None,
        *,
        max_batch: int = MAX_BATCH,
        readers: int = READERS,
    ) -> None:
        self.collection = collection
        self._projection = dict(projection) if projection is not None else None
        self._max = max_batch
        self._readers_max = readers
        self._queue: list[tuple[Any, asyncio.Future[Document | None]]] = []
        self._readers = 0  # reader tasks still able to take from the queue
        self._tasks: set[asyncio.Task[None]] = set()  # held, so a running reader is not collected
        self._loop: asyncio.AbstractEventLoop | None = None
        self.queries = 0  # how many queries were sent (for tests and profiling)

    async def get(self, document_id: Any) -> Document | None:
        """The document with this ``_id``, or None; raises the query's error if it failed."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (tests): forget the old one's state
            self._loop, self._queue, self._readers, self._tasks = loop, [], 0, set()
        found: asyncio.Future[Document | None] = loop.create_future()
        self._queue.append((document_id, found))
        if self._readers < self._readers_max:
            self._readers += 1
            task = loop.create_task(self._read_all(), name=f"group-find-{self.collection.name}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await found

    async def _read_all(self) -> None:
        try:
            await self._drain()
        finally:  # no await between the queue found empty and this: a later lookup starts a reader
            self._readers -= 1

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._max], self._queue[self._max :]
            try:
                await self._read(batch)
            except BaseException as exc:  # every waiter hears of it; a cancel goes on up
                for _, found in batch:
                    if not found.done():
                        found.set_exception(exc if isinstance(exc, Exception) else asyncio.CancelledError())
                if not isinstance(exc, Exception):
                    for _, found in self._queue:
                        if not found.done():
                            found.cancel()
                    self._queue = []
                    raise

    async def _read(self, batch: list[tuple[Any, asyncio.Future[Document | None]]]) -> None:
        self.queries += 1
        ids = list(dict.fromkeys(document_id for document_id, _ in batch))
        query = {"_id": ids[0]} if len(ids) == 1 else {"_id": {"$in": ids}}
        by_id = {doc["_id"]: doc async for doc in self.collection.find(query, self._projection)}
        for document_id, found in batch:
            if not found.done():  # the caller gave up waiting (cancelled)
                found.set_result(by_id.get(document_id))
