"""The demo catalogue loads, twice without change, with the guide's services and offers in every status."""

from __future__ import annotations

from cqrs_kit.runtime import Runtime
from cqrs_kit.testing import isolated_settings
from cqrs_participation.demo import load_demo
from cqrs_participation.store import INDEXES, OUTBOX_COLLECTIONS


async def test_demo_loads_once(infra: dict[str, str]) -> None:
    settings = isolated_settings("participation")
    runtime = Runtime.build(settings, outbox_collections=OUTBOX_COLLECTIONS)
    try:
        await runtime.mongo.ensure_indexes(INDEXES)
        await load_demo(runtime)
        await load_demo(runtime)
        services = {d["_id"]: d async for d in runtime.mongo.collection("quality_services").find({})}
        offers = [d async for d in runtime.mongo.collection("offers").find({})]
    finally:
        await runtime.mongo.client.drop_database(settings.database_name)
        await runtime.mongo.close()
    assert len(services) == 8
    care = services["qs-qrv-complex-care"]["published"][0]
    assert [c.get("unit_price_pence") for c in care["components"]] == [19342, None]
    assert len(care["claim_windows"]) == 4
    ear = services["qs-qrv-ear-irrigation"]["published"][0]["components"][0]["evidence"]
    assert "pdf" in ear["accepted_file_types"]
    depot = services["qs-qrv-depot"]["published"][0]["components"][0]["questions"][0]
    assert (depot["kind"], depot["required"]) == ("yes_no", True)
    qof = next(d for key, d in services.items() if key.startswith("qs-qof-"))["published"][0]
    assert {d["domain"] for d in qof["domains"]} == {
        "Clinical",
        "Organisational",
        "Patient Experience",
        "Additional Services",
    }
    assert len(offers) == 8
    assert {(o["status"], o.get("ended_by")) for o in offers} == {
        ("Offered", None),
        ("Approved", None),
        ("Rejected", None),
        ("Cancelled", "withdrawn"),
        ("Cancelled", "cancelled"),
    }
