"""A commissioner's review flow is edited from a version, on the real stack (FerretDB, Kafka): the
ETag names it, a save needs it as If-Match, and an edit made meanwhile by someone else (or at the same
moment from the same version, in another process's way: one insert wins) is refused, never silently
overwritten."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from cqrs_claims.harness import Stack, claims_stack
from cqrs_claims.review.store import UNVERSIONED
from cqrs_kit.testing import eventually, new_ods_code, organisation

pytestmark = pytest.mark.integration

API = "/api/claims"
KEEPER = "Commissioning Management"


@pytest.fixture(scope="module")
async def stack(infra: dict[str, str]) -> AsyncIterator[Stack]:
    async with claims_stack(scan=False, claims_payment_tick_seconds=0) as running:
        yield running


def _body(read: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in read.items() if k != "version"}


async def _read(
    stack: Stack, headers: dict[str, str], commissioner: str | None = None
) -> tuple[dict[str, Any], str]:
    async def known() -> Any:
        got = await stack.client.get(
            f"{API}/review/flows/{commissioner or stack.commissioner}", headers=headers
        )
        return got if got.status_code == 200 else None

    got = await eventually(known, timeout=30)
    return got.json(), got.headers["ETag"]


async def test_a_save_names_the_version_it_was_made_from_and_a_stale_one_is_refused(stack: Stack) -> None:
    chloe = stack.user(KEEPER, stack.commissioner)
    lara = stack.user(KEEPER, stack.commissioner)
    url = f"{API}/review/flows/{stack.commissioner}"
    default, etag = await _read(stack, chloe)
    assert (default["version"], etag) == (0, '"0"')

    missing = await stack.client.put(url, json=_body(default), headers=chloe)
    assert missing.status_code == 428, missing.text
    assert missing.json()["errors"][0]["field"] == "If-Match"

    lowered = {**_body(default), "bands": {"medium_from_pence": 5000, "high_from_pence": 10000}}
    saved = await stack.client.put(url, json=lowered, headers={**chloe, "If-Match": etag})
    assert saved.status_code == 200, saved.text
    assert (saved.json()["version"], saved.headers["ETag"]) == (1, '"1"')

    # Lara's form was opened on version 0: her save would undo Chloe's bands, so it is refused.
    stale = await stack.client.put(url, json=_body(default), headers={**lara, "If-Match": etag})
    assert stale.status_code == 412, stale.text
    assert "changed by someone else" in stale.json()["detail"]
    now, now_etag = await _read(stack, lara)
    assert (now["bands"], now_etag) == (lowered["bands"], '"1"')

    # Two saves at once from the same version: exactly one is stored; the other is told.
    racing = await asyncio.gather(
        *(
            stack.client.put(url, json=body, headers={**who, "If-Match": now_etag})
            for who, body in ((chloe, _body(default)), (lara, lowered))
        )
    )
    assert sorted(r.status_code for r in racing) in ([200, 409], [200, 412]), [r.text for r in racing]
    winner = next(r for r in racing if r.status_code == 200).json()
    final, final_etag = await _read(stack, chloe)
    assert (final, final_etag) == (winner, '"2"')

    history = await stack.runtime.mongo.collection("flows_events").count_documents(
        {"aggregate_id": stack.commissioner}
    )
    assert history == 2


async def test_a_flow_saved_before_versions_reads_as_version_0_until_saved_again(stack: Stack) -> None:
    commissioner = new_ods_code("Q")
    await stack.publish([organisation(commissioner, "ICB", "Y56")], source="/cqrs/identity")
    chloe = stack.user(KEEPER, commissioner)
    url = f"{API}/review/flows/{commissioner}"
    default, _ = await _read(stack, chloe, commissioner)
    old_bands = {"medium_from_pence": 7000, "high_from_pence": 9000}
    await stack.runtime.mongo.collection(UNVERSIONED).insert_one(
        {"_id": commissioner, "flow": {**_body(default), "bands": old_bands}}
    )
    read, etag = await _read(stack, chloe, commissioner)
    assert (read["bands"], etag) == (old_bands, '"0"')

    saved = await stack.client.put(url, json=_body(read), headers={**chloe, "If-Match": etag})
    assert (saved.status_code, saved.headers.get("ETag")) == (200, '"1"'), saved.text
    again, etag = await _read(stack, chloe, commissioner)
    assert (again["bands"], etag) == (old_bands, '"1"')
