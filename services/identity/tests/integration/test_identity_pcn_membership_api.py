"""PCN membership through the API on the real stack: an ICB Organisation Administrator starts and
ends a practice's relationship with a PCN; the events reach Kafka for [AD]'s recalculation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from cqrs_contracts import topics
from cqrs_contracts.events.identity import PcnRelationshipEnded, PcnRelationshipStarted
from cqrs_identity.organisations.importer import load

pytestmark = pytest.mark.integration
API = "/api/identity"


async def _fresh(stack: Any) -> tuple[str, str, str]:
    """A new practice and two new PCNs under QRV, with no relationships yet."""
    n = uuid.uuid4().int % 49998 + 40000
    practice, pcn, other = f"L{n}", f"U{n}", f"U{n + 1}"
    orgs = (
        "ods_code,name,kind,parent_ods_code\n"
        f"{practice},Membership Surgery,GP Practice,QRV\n"
        f"{pcn},First PCN,PCN,QRV\n{other},Second PCN,PCN,QRV\n"
    )
    assert await load(stack.runtime, orgs, "practice_ods_code,pcn_ods_code,start_date,end_date\n") == (3, 0)
    return practice, pcn, other


async def test_an_icb_organisation_administrator_starts_and_ends_membership(
    stack: Any, kafka_events: Callable[..., Any]
) -> None:
    practice, pcn, other = await _fresh(stack)
    omar = await stack.demo("omar.org-admin")
    url = f"{API}/practices/{practice}/pcn-relationships"
    started = await stack.client.post(url, json={"pcn": pcn, "start": "2024-04-01"}, headers=omar)
    assert started.status_code == 201, started.text
    rid = started.json()["relationship_id"]
    assert started.json() == {
        "relationship_id": rid,
        "practice": practice,
        "pcn": pcn,
        "start": "2024-04-01",
        "end": None,
    }
    again = await stack.client.post(url, json={"pcn": pcn, "start": "2024-04-01"}, headers=omar)
    assert again.status_code == 201, "the same relationship twice changes nothing"

    overlap = await stack.client.post(url, json={"pcn": other, "start": "2025-04-01"}, headers=omar)
    assert overlap.status_code == 422
    error = overlap.json()["errors"][0]
    assert error["field"] == "start"
    assert f"already belongs to {pcn}" in error["message"]

    before = await stack.client.post(f"{url}/{rid}/end", json={"end": "2024-03-01"}, headers=omar)
    assert (before.status_code, before.json()["errors"][0]["field"]) == (422, "end")
    ended = await stack.client.post(f"{url}/{rid}/end", json={"end": "2025-03-31"}, headers=omar)
    assert (ended.status_code, ended.json()["end"]) == (200, "2025-03-31")
    moved = await stack.client.post(url, json={"pcn": other, "start": "2025-04-01"}, headers=omar)
    assert moved.status_code == 201, moved.text

    listed = (await stack.client.get(url, headers=omar)).json()
    assert [(r["pcn"], r["start"], r["end"]) for r in listed] == [
        (pcn, "2024-04-01", "2025-03-31"),
        (other, "2025-04-01", None),
    ]
    events = await kafka_events(topics.IDENTITY_ORGANISATION, practice, lambda es: len(es) >= 4)
    kinds = [type(e) for e in events if not type(e).__name__.startswith("Organisation")]
    assert kinds == [PcnRelationshipStarted, PcnRelationshipEnded, PcnRelationshipStarted]
    assert events[-1].pcn_ods_code == other


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"pcn": "E85001", "start": "2024-04-01"}, 422, "pcn"),
        ({"pcn": "{pcn}", "start": "2024-04-01", "end": "2024-01-01"}, 422, "end"),
        ({"pcn": "{pcn}", "start": "1 April"}, 422, "start"),
        ({"pcn": "ZZZ99", "start": "2024-04-01"}, 404, "pcn"),
        ({"pcn": "{pcn}"}, 422, "start"),
    ],
)
async def test_bad_membership_names_the_field_and_stores_nothing(
    stack: Any, body: dict[str, str], status: int, field: str
) -> None:
    practice, pcn, _ = await _fresh(stack)
    omar = await stack.demo("omar.org-admin")
    sent = {k: v.replace("{pcn}", pcn) for k, v in body.items()}
    url = f"{API}/practices/{practice}/pcn-relationships"
    response = await stack.client.post(url, json=sent, headers=omar)
    assert (response.status_code, response.json()["errors"][0]["field"]) == (status, field)
    assert (await stack.client.get(url, headers=omar)).json() == []


async def test_a_practice_cannot_be_named_as_a_pcn_member_of_itself(stack: Any) -> None:
    _, pcn, _ = await _fresh(stack)
    omar = await stack.demo("omar.org-admin")
    response = await stack.client.post(
        f"{API}/practices/{pcn}/pcn-relationships", json={"pcn": pcn, "start": "2024-04-01"}, headers=omar
    )
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "practice")


async def test_only_an_icb_organisation_administrator_over_both_may(stack: Any) -> None:
    practice, pcn, _ = await _fresh(stack)
    _, practice_admin = await stack.user({practice: ["Organisation Administrator"]})
    refused = {
        "another ICB's Organisation Administrator": await stack.demo("mia.ncl-admin"),
        "the ICB's User Administrator": await stack.demo("uma.user-admin"),
        "the practice's own Organisation Administrator": await stack.headers(
            practice_admin, "a long test passphrase 1"
        ),
    }
    url = f"{API}/practices/{practice}/pcn-relationships"
    for who, headers in refused.items():
        response = await stack.client.post(url, json={"pcn": pcn, "start": "2024-04-01"}, headers=headers)
        assert response.status_code == 403, who
        assert "Organisation Administrator at the ICB" in response.json()["detail"], who
    anonymous = await stack.client.post(url, json={"pcn": pcn, "start": "2024-04-01"})
    assert anonymous.status_code == 401
    omar = await stack.demo("omar.org-admin")
    assert (await stack.client.get(url, headers=omar)).json() == []
