"""MongoDB access through PyMongo's async API, with indexes declared per store and made at start-up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, PyMongoError

if TYPE_CHECKING:
    from cqrs_kit.group_find import GroupFind
    from cqrs_kit.group_insert import GroupInsert

Document = dict[str, Any]
Collection = AsyncCollection[Document]
Database = AsyncDatabase[Document]

#: Errors that mean "the database is unreachable for now", so the work is retried, never dropped.
TRANSIENT_MONGO_ERRORS: tuple[type[BaseException], ...] = (ConnectionFailure,)


def is_mongo_timeout(exc: BaseException) -> bool:
    """A database operation ran out of its time limit: the server is slow or away."""
    return isinstance(exc, PyMongoError) and exc.timeout


@dataclass(frozen=True)
class Index:
    """One index a store needs; stores list theirs and the app creates them at start-up."""

    collection: str
    keys: Sequence[str | tuple[str, int]]
    unique: bool = False
    name: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def model(self) -> IndexModel:
        """The PyMongo IndexModel for this declaration."""
        keys = [(k, ASCENDING) if isinstance(k, str) else k for k in self.keys]
        extra: dict[str, Any] = {"unique": self.unique, **self.options}
        if self.name:
            extra["name"] = self.name
        return IndexModel(keys, **extra)


class Mongo:
    """One client per process; nothing connects until first use (PyMongo connects lazily)."""

    def __init__(self, url: str, database: str, *, timeout_ms: int = 10_000) -> None:
        self.client: AsyncMongoClient[Document] = AsyncMongoClient(
            url,
            # Every call is bounded: no server for 5 s, no connection in 5 s, or no answer on the
            # socket within timeout_ms fails it (as NetworkTimeout, a transient error). Not
            # timeoutMS: PyMongo then sends maxTimeMS, which FerretDB v1 refuses on `distinct`.
            socketTimeoutMS=timeout_ms,
            connectTimeoutMS=min(timeout_ms, 5000),
            serverSelectionTimeoutMS=min(timeout_ms, 5000),
            tz_aware=True,
            uuidRepresentation="standard",
        )
        self.db: Database = self.client[database]
        self._grouped: dict[str, GroupInsert] = {}
        self._lookups: dict[tuple[str, tuple[str, ...] | None], GroupFind] = {}

    def collection(self, name: str) -> Collection:
        """A collection of this service's own database."""
        return self.db[name]

    def grouped(self, name: str) -> GroupInsert:
        """Group-committed inserts into one collection, shared by everything in this process."""
        from cqrs_kit.group_insert import GroupInsert  # noqa: PLC0415 - it imports this module

        if name not in self._grouped:
            self._grouped[name] = GroupInsert(self.collection(name))
        return self._grouped[name]

    def lookup(self, name: str, fields: Sequence[str] | None = None) -> GroupFind:
        """Grouped lookups by ``_id`` in one collection (only ``fields`` when given), shared by
        everything in this process."""
        from cqrs_kit.group_find import GroupFind  # noqa: PLC0415 - it imports this module

        key = (name, tuple(fields) if fields is not None else None)
        if key not in self._lookups:
            projection = None if fields is None else dict.fromkeys(fields, 1)
            self._lookups[key] = GroupFind(self.collection(name), projection)
        return self._lookups[key]

    async def ensure_indexes(self, indexes: Sequence[Index]) -> None:
        """Create each declared index that does not exist yet, one at a time.

        FerretDB v1 drops the connection when one createIndexes names several indexes that
        already exist, so existing ones are skipped by name and the rest are created singly.
        """
        for index in indexes:
            model = index.model()
            collection = self.db[index.collection]
            existing = await collection.index_information()
            if model.document["name"] not in existing:
                await collection.create_indexes([model])

    async def ping(self) -> str | None:
        """None when the database answers, otherwise the reason (for /readyz)."""
        try:
            await self.client.admin.command("ping")
        except PyMongoError as exc:
            return f"database unreachable: {exc.__class__.__name__}"
        return None

    async def close(self) -> None:
        """Close the client's connections."""
        await self.client.close()
