"""The home page's Message Centre: the user's tasks (things to act on) and messages (things to know),
how many are unread, marking one read, and the Supervisor view of outstanding tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from cqrs_portal.gateway import ApiProblem, Credentials, Gateway
from cqrs_portal.web import GatewayDep, User, UserDep, redirect, safe_path

router = APIRouter(prefix="/message-centre")

SUPERVISOR = "Supervisor"
PAGE_SIZE = 10

#: Where a task's Task Summary link leads, by its category (subject id filled in).
TASK_PAGES = {
    "registration-to-review": "/pending-actions",
    "access-to-review": "/pending-actions",
    "offer-to-answer": "/participation/my-services/{subject_id}",
    "service-request-to-answer": "/participation/service-requests",
    "claim-to-review": "/claims/review",
    "declaration-to-approve": "/achievement/declarations/{subject_id}",
    "declaration-to-finance-approve": "/achievement/declarations/{subject_id}",
}


@dataclass
class MessageCentre:
    """What the home page shows of the Message Centre (or why it cannot)."""

    tasks: dict[str, Any] = field(default_factory=dict)
    messages: dict[str, Any] = field(default_factory=dict)
    unread: dict[str, int] = field(default_factory=dict)
    supervisor: bool = False
    unavailable: str | None = None


def is_supervisor(user: User) -> bool:
    """Whether the user holds the Supervisor role somewhere (they see every outstanding task)."""
    return bool(user.organisations_with({SUPERVISOR}))


def task_page(item: dict[str, Any]) -> str | None:
    """The page a task asks its reader to act on, if the portal has one."""
    pattern = TASK_PAGES.get(str(item.get("category")))
    return pattern.format(subject_id=item["subject_id"]) if pattern else None


async def message_centre(
    gateway: Gateway, creds: Credentials, user: User, tasks_page: int, messages_page: int
) -> MessageCentre:
    """Tasks and messages for the home page. A Supervisor sees the outstanding (open) tasks of every
    organisation their role reaches; others see all their tasks, open first by date."""
    supervisor = is_supervisor(user)
    try:
        tasks = await gateway.message_centre(
            creds, kind="task", status="open" if supervisor else None, page=tasks_page, limit=PAGE_SIZE
        )
        messages = await gateway.message_centre(creds, kind="message", page=messages_page, limit=PAGE_SIZE)
        unread = await gateway.unread_count(creds)
    except ApiProblem as problem:
        if problem.status in {401, 403}:
            raise
        return MessageCentre(
            supervisor=supervisor,
            unavailable="The Message Centre cannot be shown just now. Your tasks are safe; try again later.",
        )
    for item in tasks["items"]:
        item["href"] = task_page(item)
    return MessageCentre(tasks=tasks, messages=messages, unread=unread, supervisor=supervisor)


@router.get("/{item_id}")
async def open_item(item_id: str, user: UserDep, gateway: GatewayDep, to: str = "/") -> Response:
    """The Task Summary link: the task counts as read once opened, then its page is shown."""
    await gateway.mark_read(user.session, item_id)
    return redirect(safe_path(to))


@router.post("/{item_id}/read")
async def mark_read(item_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """Mark as read: the item stays in the list, no longer counted as unread."""
    await gateway.mark_read(user.session, item_id)
    user.session.say("Marked as read")
    return redirect("/#message-centre")


def pages_of(found: dict[str, Any]) -> int:
    """How many pages a Message Centre list has."""
    return max(1, -(-int(found.get("total", 0)) // PAGE_SIZE))
