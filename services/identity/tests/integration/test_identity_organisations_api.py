"""Organisations, the Network organisation relationship report (JSON and CSV) and the CSV importer
on the real stack, with the events other services read."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from cqrs_contracts import topics
from cqrs_contracts.events.identity import (
    OrganisationAdded,
    PcnRelationshipEnded,
    PcnRelationshipStarted,
)
from cqrs_identity.importer import ImportProblem, load

pytestmark = pytest.mark.integration
API = "/api/identity"
PERIOD = "start=2024-01-01&end=2025-05-31"


async def test_demo_has_the_organisations_the_issue_asks_for(stack: Any) -> None:
    orgs = (await stack.client.get(f"{API}/organisations")).json()
    kinds = [o["kind"] for o in orgs]
    assert (kinds.count("NHS England"), kinds.count("Region"), kinds.count("ICB"), kinds.count("PCN")) == (
        1,
        2,
        3,
        6,
    )
    assert kinds.count("GP Practice") >= 40
    practice = (await stack.client.get(f"{API}/organisations/E85001")).json()
    assert practice["ancestors"] == ["X24", "Y56", "QRV"]


async def test_descendants_and_search(stack: Any) -> None:
    viewer = await stack.demo("ada.advanced-admin")
    anonymous = await stack.client.get(f"{API}/organisations/QRV/descendants")
    assert anonymous.status_code == 401
    below = (await stack.client.get(f"{API}/organisations/QRV/descendants", headers=viewer)).json()
    assert len(below) == 16
    pcns = (await stack.client.get(f"{API}/organisations/Y56/descendants?kind=PCN", headers=viewer)).json()
    assert {o["ods_code"] for o in pcns} == {"U10001", "U10002", "U20001", "U20002"}
    found = (await stack.client.get(f"{API}/organisations?q=harrow")).json()
    assert {o["ods_code"] for o in found} == {"U10001", "U10002"}
    missing = await stack.client.get(f"{API}/organisations/ZZZ")
    assert missing.status_code == 404


async def test_icb_user_filters_to_a_pcn_or_a_practice(stack: Any) -> None:
    icb = await stack.demo("victor.viewer")
    by_pcn = (
        await stack.client.get(f"{API}/pcn-relationships/report?{PERIOD}&pcn=U10001", headers=icb)
    ).json()
    practices = {line["practice_ods_code"] for line in by_pcn}
    assert "E85004" not in practices, "E85004 moved to Harrow South on 1 April 2024"
    assert len(practices) == 6
    assert all(line["current"] for line in by_pcn)
    by_practice = (
        await stack.client.get(f"{API}/pcn-relationships/report?{PERIOD}&practice=E85004", headers=icb)
    ).json()
    assert [(line["pcn_ods_code"], line["current"]) for line in by_practice] == [
        ("U10001", False),
        ("U10002", True),
    ]
    everything = (await stack.client.get(f"{API}/pcn-relationships/report?{PERIOD}", headers=icb)).json()
    assert {line["pcn_ods_code"] for line in everything} == {"U10001", "U10002"}


async def test_gp_and_pcn_users_see_their_own_pcn_current_practices(stack: Any) -> None:
    gp = await stack.demo("sam.service-manager")
    lines = (await stack.client.get(f"{API}/pcn-relationships/report?{PERIOD}", headers=gp)).json()
    assert {line["pcn_ods_code"] for line in lines} == {"U10001"}
    assert all(line["current"] for line in lines)
    pcn = await stack.demo("pete.pcn-viewer")
    lines = (await stack.client.get(f"{API}/pcn-relationships/report?{PERIOD}", headers=pcn)).json()
    assert {line["practice_ods_code"] for line in lines} >= {"E85004", "E85008"}
    other = await stack.client.get(f"{API}/pcn-relationships/report?{PERIOD}&pcn=U20001", headers=gp)
    assert (other.status_code, other.json()["errors"][0]["field"]) == (403, "pcn")


async def test_report_downloads_as_csv(stack: Any) -> None:
    icb = await stack.demo("victor.viewer")
    response = await stack.client.get(
        f"{API}/pcn-relationships/report?{PERIOD}&practice=E85004&format=csv", headers=icb
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["pcn_ods_code"], r["end_date"], r["current"]) for r in rows] == [
        ("U10001", "2024-03-31", "No"),
        ("U10002", "", "Yes"),
    ]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("start=2025-05-31&end=2024-01-01", 422, "end"),
        ("start=yesterday&end=2024-01-01", 422, "query.start"),
        (f"{PERIOD}&pcn=u1", 422, "query.pcn"),
        (f"{PERIOD}&practice=B86001", 403, "practice"),
        (f"{PERIOD}&format=pdf", 422, "query.format"),
        ("end=2024-01-01", 422, "query.start"),
    ],
)
async def test_bad_report_queries_name_the_field(stack: Any, query: str, status: int, field: str) -> None:
    icb = await stack.demo("victor.viewer")
    response = await stack.client.get(f"{API}/pcn-relationships/report?{query}", headers=icb)
    assert (response.status_code, response.json()["errors"][0]["field"]) == (status, field)


def _codes() -> tuple[str, str, str]:
    """Two PCN codes and a practice code no demo organisation or other test uses."""
    n = uuid.uuid4().int % 49998 + 40000
    return f"U{n}", f"U{n + 1}", f"K{n}"


async def test_importer_loads_csv_once_and_publishes_events(
    stack: Any, kafka_events: Callable[..., Any]
) -> None:
    pcn, other_pcn, practice = _codes()
    orgs = (
        "ods_code,name,kind,parent_ods_code\n"
        f"{practice},Imported Surgery,gp practice,QUE\n"
        f"{pcn},Imported PCN,PCN,QUE\n{other_pcn},Other PCN,PCN,QUE\n"
    )
    rels = (
        "practice_ods_code,pcn_ods_code,start_date,end_date\n"
        f"{practice},{other_pcn},2024-04-01,\n{practice},{pcn},2020-04-01,2024-03-31\n"
    )
    assert await load(stack.runtime, orgs, rels) == (3, 2)
    assert await load(stack.runtime, orgs, rels) == (0, 0)
    added = await kafka_events(topics.IDENTITY_ORGANISATION, practice, lambda es: len(es) >= 3)
    assert [type(e) for e in added] == [OrganisationAdded, PcnRelationshipStarted, PcnRelationshipStarted]
    assert added[0].ancestors == ["X24", "Y61", "QUE"]
    ended = rels.replace(f"{other_pcn},2024-04-01,", f"{other_pcn},2024-04-01,2025-03-31")
    assert await load(stack.runtime, orgs, ended) == (0, 1)
    events = await kafka_events(
        topics.IDENTITY_ORGANISATION,
        practice,
        lambda es: any(isinstance(e, PcnRelationshipEnded) for e in es),
    )
    assert isinstance(events[-1], PcnRelationshipEnded)


async def test_a_bad_row_saves_nothing(stack: Any) -> None:
    pcn, _, practice = _codes()
    orgs = (
        f"ods_code,name,kind,parent_ods_code\n{practice},Lonely Surgery,GP Practice,QUE\n"
        f"{pcn},Lonely PCN,PCN,QUE\n"
    )
    overlapping = (
        "practice_ods_code,pcn_ods_code,start_date,end_date\n"
        f"{practice},{pcn},2020-04-01,\n{practice},U30001,2021-04-01,\n"
    )
    with pytest.raises(ImportProblem, match="already belongs"):
        await load(stack.runtime, orgs, overlapping)
    assert (await stack.client.get(f"{API}/organisations/{practice}")).status_code == 404
