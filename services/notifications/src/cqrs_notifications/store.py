"""The only module of notifications that talks to MongoDB."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError

from cqrs_kit.mongo import Collection, Index

TASKS = "tasks"
INDEXES = [Index(TASKS, ["organisation_id", "created_at"])]


class Task(BaseModel):
    """A Message Centre task asking someone at an organisation to act."""

    task_id: str
    organisation_id: str
    kind: str
    title: str
    subject_id: str
    source_event_id: str
    created_at: dt.datetime
    status: str = "Open"


class TaskStore:
    """Tasks, created with ids derived from the causing event so repeats change nothing."""

    def __init__(self, collection: Collection) -> None:
        self._tasks = collection

    async def add(self, task: Task) -> bool:
        """Store the task; False when it already exists (a repeated event)."""
        try:
            await self._tasks.insert_one({"_id": task.task_id, **task.model_dump(exclude={"task_id"})})
        except DuplicateKeyError:
            return False
        return True

    async def for_organisation(self, organisation_id: str, limit: int = 200) -> list[Task]:
        """Newest first."""
        cursor = self._tasks.find({"organisation_id": organisation_id}).sort("created_at", -1)
        return [Task.model_validate({**d, "task_id": d["_id"]}) async for d in cursor.limit(limit)]
