"""Notifications HTTP routes: the Message Centre."""

from __future__ import annotations

from fastapi import APIRouter, Query

from cqrs_kit.auth import CurrentUser
from cqrs_kit.runtime import RuntimeDep
from cqrs_notifications.store import TASKS, Task, TaskStore

router = APIRouter(tags=["message-centre"])


@router.get("/tasks")
async def list_tasks(
    runtime: RuntimeDep,
    _user: CurrentUser,
    organisation: str = Query(min_length=3, max_length=12, pattern=r"^[A-Z0-9]+$"),
) -> list[Task]:
    """Tasks waiting for an organisation, newest first."""
    return await TaskStore(runtime.mongo.collection(TASKS)).for_organisation(organisation)
