"""Test helpers for other services' tests: make a real offer through participation's API.

The five steps need a published service and a provider the Directory knows, so a test seeds the
Directory (``seed_offer_directory``) and then calls ``offer_to``, which defines and publishes a
fresh service of the commissioner and offers it to one provider.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx

from cqrs_kit.directory import Directory
from cqrs_kit.testing import organisation, seed_standard_tree
from cqrs_participation.domain.definition import financial_year_bounds, financial_year_of


async def seed_offer_directory(directory: Directory, *providers: str, parent: str = "QWE") -> None:
    """The kit's standard tree (commissioner QWE) plus these providers as practices below ``parent``."""
    await seed_standard_tree(directory, *(organisation(p, "GP Practice", parent) for p in providers))


def service_definition(commissioner: str, **changes: Any) -> dict[str, Any]:
    """A valid local service of the commissioner for the current financial year."""
    year = financial_year_of(dt.datetime.now(dt.UTC).date())
    start, end = financial_year_bounds(year)
    body: dict[str, Any] = {
        "commissioner_organisation_id": commissioner,
        "financial_year": year,
        "payment_type": "Local",
        "service_name": f"Test Service {uuid.uuid4().hex[:8]}",
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "paycode": "TEST",
        "components": [
            {
                "component_id": "unit",
                "component_name": "Unit",
                "kind": "unit_priced",
                "unit_price_pence": 19342,
            }
        ],
    }
    body.update(changes)
    return body


async def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def offer_to(client: httpx.AsyncClient, api: str, commissioner: str, provider: str) -> dict[str, Any]:
    """Publish a fresh service and offer it to one provider; the offer as participation shows it.

    ``client`` carries a Commissioning Management token for ``commissioner``; ``api`` is the base
    of participation's routes (``/api/participation`` or a full URL).
    """
    service = await _ok(
        await client.post(f"{api}/quality-services", json=service_definition(commissioner)), 201
    )
    service_id = service["quality_service_id"]
    await _ok(await client.post(f"{api}/quality-services/{service_id}/publish"))
    draft = await _ok(
        await client.post(
            f"{api}/offer-drafts",
            json={"commissioner_organisation_id": commissioner, "quality_service_id": service_id},
        ),
        201,
    )
    url = f"{api}/offer-drafts/{draft['draft_id']}"
    dates = await _ok(await client.get(f"{url}/details"))
    await _ok(await client.put(f"{url}/details", json=dates))
    await _ok(await client.put(f"{url}/providers", json={"provider_organisation_ids": [provider]}))
    await _ok(await client.post(f"{url}/submit"))
    confirmed = await _ok(await client.post(f"{url}/confirm"))
    (offer_id,) = confirmed["draft"]["offer_ids"]
    details = await _ok(await client.get(f"{api}/offers/{offer_id}"))
    offer: dict[str, Any] = details["offer"]
    return offer
