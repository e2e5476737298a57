"""Journey: the home page's Message Centre (tasks and messages, the unread count, marking read, the
Task Summary link, and the Supervisor's view of every outstanding task)."""

from __future__ import annotations

import random
import re
import string
from typing import Any

from playwright.sync_api import expect

UMA = "uma.user-admin@demo.cqrs.local"
VICTOR = "victor.viewer@demo.cqrs.local"


def _surname() -> str:
    return "Task" + "".join(random.choices(string.ascii_lowercase, k=6))


def _unread(page: Any) -> tuple[int, int]:
    text = page.locator("#unread-count").inner_text()
    found = re.search(r"You have (\d+) unread tasks? and (\d+) unread messages?", text)
    assert found, text
    return int(found.group(1)), int(found.group(2))


def test_message_centre_tasks_messages_and_the_supervisor_view(journey: Any, api: Any) -> None:
    """A registration at a practice becomes a task for the ICB's User Administrator: it shows as
    unread on her home page; Mark as read lowers the count; its Task Summary link opens Pending
    Actions. The Supervisor sees the same outstanding task; a user whose access request was rejected
    finds the message in theirs."""
    surname = _surname()
    person = api.register("Rhona", surname, "E85002", "Service Management")
    uma = api.headers(UMA)
    task = api.message_centre_item(uma, "task", f"Review the registration of Rhona {surname}")

    requester = api.active_user("Mali", _surname(), "E85001", "Service Management")
    asked = api.http.post(
        "/access-requests",
        json={"organisation": "E85003", "role": "Service Management"},
        headers=api.headers(requester["email"], requester["password"]),
    )
    assert asked.status_code == 201, asked.text
    line = api.request_of(requester["email"])
    rejected = api.http.post(
        f"/access-requests/{line['request_id']}/reject",
        json={"reason": "Ask your practice manager to invite you instead."},
        headers=uma,
    )
    assert rejected.status_code == 200, rejected.text

    page = journey.page
    journey.log_in(UMA)
    centre = page.locator("#message-centre")
    expect(centre.get_by_role("heading", name="Message Centre")).to_be_visible()
    row = centre.get_by_role("row").filter(has_text=f"Rhona {surname}")
    expect(row).to_contain_text("E85002")
    expect(row).to_contain_text("User Administrator")
    expect(row).to_contain_text("Unread")
    expect(row).to_contain_text("Open")
    tasks_before, messages_before = _unread(page)
    assert tasks_before >= 1
    journey.screenshot("message-centre")

    with page.expect_navigation():
        row.get_by_role("button", name=f"Mark as read: {task['title']}").click()
    journey.check()
    expect(page.get_by_text("Marked as read")).to_be_visible()
    assert _unread(page) == (tasks_before - 1, messages_before)
    row = page.locator("#message-centre").get_by_role("row").filter(has_text=f"Rhona {surname}")
    expect(row).not_to_contain_text("Unread")
    expect(row.get_by_role("button")).to_have_count(0)

    journey.click(task["title"])
    expect(page).to_have_url(re.compile(r"/pending-actions$"))
    expect(page.get_by_role("table")).to_contain_text(person["email"])

    with page.expect_navigation():
        page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    journey.check()
    journey.log_in(VICTOR)
    centre = page.locator("#message-centre")
    expect(centre.get_by_role("heading", name="Outstanding tasks (Supervisor view)")).to_be_visible()
    row = centre.get_by_role("row").filter(has_text=f"Rhona {surname}")
    expect(row).to_contain_text("User Administrator")
    expect(row).to_contain_text("Unread")  # read marks are each person's own
    journey.screenshot("message-centre-supervisor")

    with page.expect_navigation():
        page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    journey.check()
    message = api.message_centre_item(
        api.headers(requester["email"], requester["password"]), "message", "E85003 was rejected"
    )
    journey.log_in(requester["email"], requester["password"])
    centre = page.locator("#message-centre")
    row = centre.get_by_role("row").filter(has_text=message["title"])
    expect(row).to_contain_text("Unread")
    _, messages = _unread(page)
    assert messages >= 1
    with page.expect_navigation():
        row.get_by_role("button", name=f"Mark as read: {message['title']}").click()
    journey.check()
    assert _unread(page)[1] == messages - 1
