"""The frontend-ready API on the real stack: users searched, filtered, sorted and paged; the
audit trail filtered by date range, actor and subject; If-Match on a user's roles."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.integration
API = "/api/identity"


async def test_users_are_searched_filtered_sorted_and_paged(stack: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    ids = {}
    for letter, role in (("a", "View"), ("b", "Service Management"), ("c", "View")):
        ids[letter], _ = await stack.user({"E85012": [role]}, first=f"Q{tag}{letter}")
    admin = await stack.demo("uma.user-admin")
    await stack.client.post(
        f"{API}/users/{ids['c']}/disable", headers=admin, json={"reason": "Duplicate account"}
    )

    async def names(query: str) -> tuple[list[str], int]:
        page = (await stack.client.get(f"{API}/users?q={tag}&{query}", headers=admin)).json()
        return [u["first_name"][-1] for u in page["items"]], page["total"]

    assert await names("sort=name&order=desc") == (["c", "b", "a"], 3)
    assert await names("sort=name&limit=1&offset=1") == (["b"], 3)
    assert await names("role=Service%20Management") == (["b"], 1)
    assert await names("status=Disabled") == (["c"], 1)
    assert await names("status=Active&sort=email") == (["a", "b"], 2)
    assert await names("organisation=E85012&role=View") == (["a", "c"], 2)
    assert await names("organisation=E85013") == ([], 0)
    by_email = (await stack.client.get(f"{API}/users?q=q{tag}b.tester", headers=admin)).json()
    assert [u["user_id"] for u in by_email["items"]] == [ids["b"]]
    bad = await stack.client.get(f"{API}/users?sort=age", headers=admin)
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "query.sort")
    too_many = await stack.client.get(f"{API}/users?limit=501", headers=admin)
    assert (too_many.status_code, too_many.json()["errors"][0]["field"]) == (422, "query.limit")


async def test_the_audit_trail_filters_by_date_actor_and_subject(stack: Any) -> None:
    user_id, _ = await stack.user({"E85012": ["View"]})
    admin = await stack.demo("uma.user-admin")
    uma = (await stack.client.get(f"{API}/users/me", headers=admin)).json()["user_id"]
    await stack.client.post(
        f"{API}/users/{user_id}/disable", headers=admin, json={"reason": "Duplicate account"}
    )
    today = dt.datetime.now(dt.UTC).date()

    async def actions(query: str) -> list[str]:
        page = (await stack.client.get(f"{API}/audit?{query}", headers=admin)).json()
        assert page["total"] == len(page["items"]) or page["limit"] < page["total"]
        return [line["action"] for line in page["items"]]

    everything = await actions(f"subject={user_id}")
    assert everything[0] == "Account disabled"
    assert len(everything) >= 2
    assert await actions(f"subject={user_id}&actor={uma}") == ["Account disabled"]
    assert await actions(f"subject={user_id}&since={today}&until={today}") == everything
    assert await actions(f"subject={user_id}&since={today + dt.timedelta(days=1)}") == []
    assert await actions(f"subject={user_id}&until={today - dt.timedelta(days=1)}") == []
    by_uma = await actions(f"actor={uma}&limit=500")
    assert by_uma.count("Account disabled") >= 1
    bad = await stack.client.get(f"{API}/audit?since=today", headers=admin)
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "query.since")


async def test_a_stale_roles_edit_is_refused_and_a_missing_if_match_is_required(stack: Any) -> None:
    user_id, _ = await stack.user({"E85012": ["View"]})
    admin = await stack.demo("uma.user-admin")
    loaded = await stack.client.get(f"{API}/users/{user_id}", headers=admin)
    etag = loaded.headers["ETag"]
    assert etag == f'"{loaded.json()["version"]}"'
    url = f"{API}/users/{user_id}/roles"
    body = {"organisation": "E85012", "roles": [{"role": "View"}, {"role": "Service Management"}]}
    changed = await stack.client.put(url, headers=admin | {"If-Match": etag}, json=body)
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] != etag
    stale = await stack.client.put(
        url, headers=admin | {"If-Match": etag}, json={"organisation": "E85012", "roles": [{"role": "View"}]}
    )
    assert stale.status_code == 412
    assert "changed by someone else since you loaded it" in stale.json()["detail"]
    missing = await stack.client.put(url, headers=admin, json=body)
    assert (missing.status_code, missing.json()["type"]) == (428, "urn:cqrs:problem:precondition-required")
    now = (await stack.client.get(f"{API}/users/{user_id}", headers=admin)).json()
    assert [r["role"] for r in now["memberships"][0]["roles"]] == ["View", "Service Management"]
