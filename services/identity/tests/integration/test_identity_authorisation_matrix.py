"""Who may do what, on the real stack: practices cannot touch each other's users, a cluster-limited
administrator stays inside the cluster, roles gate every command, and nothing works without a token.

Demo actors (see DEMO_USERS.md): sam (GP practice E85001), uma (User Administrator, North West
London ICB QRV), carl (User Administrator at QRV limited to the Harrow practices cluster: U10001,
E85001-E85003), mia (administrator of another ICB, QMJ), victor (View at QRV), omar (Organisation
Administrator at QRV), lara (Local Administrator at QRV), ada (Advanced User Administrator, NHS
England).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.integration
API = "/api/identity"

#: (actor, action, target organisation, expected status)
MATRIX = [
    # a user of one practice cannot read or change another practice's users (nor their own's)
    ("sam.service-manager", "read", "E85002", 403),
    ("sam.service-manager", "revoke", "E85002", 403),
    ("sam.service-manager", "roles", "E85002", 403),
    ("sam.service-manager", "disable", "E85002", 403),
    ("sam.service-manager", "list", "E85002", 403),
    ("sam.service-manager", "list", "E85001", 403),
    # a cluster-limited administrator acts inside the cluster and its descendants only
    ("carl.cluster-admin", "read", "E85005", 403),
    ("carl.cluster-admin", "revoke", "E85005", 403),
    ("carl.cluster-admin", "roles", "E85005", 403),
    ("carl.cluster-admin", "invite", "E85005", 403),
    ("carl.cluster-admin", "list", "E85005", 403),
    ("carl.cluster-admin", "revoke", "E85002", 200),
    ("carl.cluster-admin", "invite", "E85002", 201),
    # administrators act within their own area only
    ("uma.user-admin", "revoke", "E85005", 200),
    ("uma.user-admin", "revoke", "F83001", 403),
    ("mia.ncl-admin", "revoke", "E85005", 403),
    ("mia.ncl-admin", "revoke", "F83001", 200),
    ("ada.advanced-admin", "disable", "F83003", 200),
    # roles gate every command
    ("victor.viewer", "invite", "E85005", 403),
    ("victor.viewer", "revoke", "E85005", 403),
    ("victor.viewer", "roles", "E85005", 403),
    ("victor.viewer", "pending", "QRV", 403),
    ("victor.viewer", "audit", "QRV", 403),
    ("victor.viewer", "cluster", "QRV", 403),
    ("omar.org-admin", "invite", "E85005", 403),
    ("omar.org-admin", "revoke", "E85005", 403),
    ("omar.org-admin", "cluster", "QRV", 201),
    ("omar.org-admin", "allocate", "QRV", 200),
    ("uma.user-admin", "cluster", "QRV", 403),
    ("uma.user-admin", "allocate", "QRV", 403),
    ("mia.ncl-admin", "allocate", "QRV", 403),
    ("lara.local-admin", "invite", "E85005", 201),
    ("lara.local-admin", "invite_national", "E85005", 403),
    ("uma.user-admin", "grant_admin", "QRV", 403),
    ("ada.advanced-admin", "grant_admin", "QRV", 200),
    ("uma.user-admin", "pending", "QRV", 200),
    ("uma.user-admin", "audit", "QRV", 200),
]


async def act(stack: Any, actor: str, action: str, org: str) -> int:  # noqa: PLR0911
    """Perform one action as a demo actor against a fresh user at ``org``; return the status."""
    headers = await stack.demo(actor)
    client = stack.client
    if action in {"read", "revoke", "roles", "disable", "grant_admin"}:
        role = "View" if org not in {"QRV"} else "Approval Management"
        target, _ = await stack.user({org: [role]})
        if action == "read":
            return int((await client.get(f"{API}/users/{target}", headers=headers)).status_code)
        if action == "revoke":
            return int(
                (
                    await client.post(
                        f"{API}/users/{target}/revoke", headers=headers, json={"organisation": org}
                    )
                ).status_code
            )
        if action == "disable":
            return int(
                (
                    await client.post(
                        f"{API}/users/{target}/disable",
                        headers=headers,
                        json={"reason": "Left the organisation"},
                    )
                ).status_code
            )
        roles = (
            [{"role": "View"}, {"role": "Supervisor"}]
            if action == "roles"
            else [{"role": "User Administrator"}]
        )
        return int(
            (
                await client.put(
                    f"{API}/users/{target}/roles", headers=headers, json={"organisation": org, "roles": roles}
                )
            ).status_code
        )
    if action == "list":
        return int((await client.get(f"{API}/users?organisation={org}", headers=headers)).status_code)
    if action in {"invite", "invite_national"}:
        role = (
            "Service Management"
            if action == "invite_national"
            else ("Local User (single-level)" if actor.startswith("lara") else "View")
        )
        address = f"ian.vited-{uuid.uuid4().hex[:8]}@test.cqrs.local"
        return int(
            (
                await client.post(
                    f"{API}/invitations",
                    headers=headers,
                    json={
                        "email": address,
                        "first_name": "Ian",
                        "last_name": "Vited",
                        "organisation": org,
                        "role": role,
                    },
                )
            ).status_code
        )
    if action == "pending":
        return int((await client.get(f"{API}/pending-actions", headers=headers)).status_code)
    if action == "audit":
        return int((await client.get(f"{API}/audit", headers=headers)).status_code)
    if action == "cluster":
        return int(
            (
                await client.post(
                    f"{API}/clusters",
                    headers=headers,
                    json={
                        "organisation": org,
                        "name": f"Matrix {uuid.uuid4().hex[:6]}",
                        "organisations": ["E85010"],
                    },
                )
            ).status_code
        )
    if action == "allocate":
        return int(
            (
                await client.post(
                    f"{API}/allocated-reports",
                    headers=headers,
                    json={
                        "organisation": org,
                        "descendant": "U10002",
                        "services": [
                            {
                                "quality_service_id": "qs-matrix",
                                "financial_year": "2025/26",
                                "payment_type": "QOF",
                            }
                        ],
                    },
                )
            ).status_code
        )
    msg = f"unknown action {action}"
    raise AssertionError(msg)


@pytest.mark.parametrize(
    ("actor", "action", "org", "expected"),
    MATRIX,
    ids=[f"{a.split('.')[0]}-{b}-{c}" for a, b, c, _ in MATRIX],
)
async def test_authorisation_matrix(stack: Any, actor: str, action: str, org: str, expected: int) -> None:
    assert await act(stack, actor, action, org) == expected


PUBLIC = {
    ("post", "/login"),
    ("post", "/token/refresh"),
    ("post", "/logout"),
    ("get", "/.well-known/jwks.json"),
    ("get", "/organisations"),
    ("get", "/organisations/{ods_code}"),
    ("get", "/roles"),
    ("post", "/registrations"),
    ("post", "/registrations/complete"),
    ("get", "/healthz"),
    ("get", "/readyz"),
}


async def test_every_other_route_needs_a_token(stack: Any) -> None:
    spec = (await stack.client.get(f"{API}/openapi.json")).json()
    checked = 0
    for path, methods in spec["paths"].items():
        local = path.removeprefix(API)
        for method in methods:
            if (method, local) in PUBLIC:
                continue
            url = path.replace("{user_id}", "x").replace("{request_id}", "x").replace("{cluster_id}", "x")
            response = await stack.client.request(method.upper(), url, json={})
            assert response.status_code == 401, f"{method.upper()} {local}"
            checked += 1
    assert checked >= 25
