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

from cqrs_kit.public import is_public

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


async def test_every_other_route_needs_a_token(stack: Any) -> None:
    spec = (await stack.client.get(f"{API}/openapi.json")).json()
    checked = 0
    for path, methods in spec["paths"].items():
        local = path.removeprefix(API)
        for method in methods:
            if is_public("identity", method, local):
                continue
            url = path.replace("{user_id}", "x").replace("{request_id}", "x").replace("{cluster_id}", "x")
            response = await stack.client.request(method.upper(), url, json={})
            assert response.status_code == 401, f"{method.upper()} {local}"
            checked += 1
    assert checked >= 25


# --- the attacks of issue 9 (ID2), each refused now -------------------------------------------

PASSWORD = "a long test passphrase 1"


async def _as(stack: Any, address: str) -> dict[str, str]:
    headers: dict[str, str] = await stack.headers(address, PASSWORD)
    return headers


async def _practice_admin(stack: Any) -> dict[str, str]:
    """A User Administrator of one GP practice (E85001) only."""
    _, address = await stack.user({"E85001": ["User Administrator"]}, first="Pat")
    return await _as(stack, address)


async def test_inviting_an_existing_user_adds_no_membership_until_they_accept(stack: Any) -> None:
    """Attack: a practice's User Administrator invites a national administrator and so gains a
    membership of hers to act on. Now the invitation waits for her to accept it."""
    admin = await _practice_admin(stack)
    target, address = await stack.user({"X24": ["Advanced User Administrator"]}, first="Nora")
    invited = await stack.client.post(
        f"{API}/invitations",
        headers=admin,
        json={
            "email": address,
            "first_name": "Nora",
            "last_name": "Tester",
            "organisation": "E85001",
            "role": "View",
        },
    )
    assert invited.status_code == 201, invited.text
    assert [m["organisation"] for m in invited.json()["memberships"]] == ["X24"]
    me = (await stack.client.get(f"{API}/users/me", headers=await _as(stack, address))).json()
    (invitation,) = me["invitations"]
    assert invitation["organisation"] == "E85001"
    disabled = await stack.client.post(
        f"{API}/users/{target}/disable", headers=admin, json={"reason": "Left the organisation"}
    )
    assert disabled.status_code == 403, disabled.text
    accepted = await stack.client.post(
        f"{API}/invitations/{invitation['request_id']}/accept", headers=await _as(stack, address)
    )
    assert sorted(m["organisation"] for m in accepted.json()["memberships"]) == ["E85001", "X24"]


async def test_a_practice_administrator_cannot_disable_a_national_administrator(stack: Any) -> None:
    """Attack: a practice's User Administrator disables the account of an Advanced User
    Administrator who also holds a role at the practice. Disable covers the whole account, so the
    caller must manage every organisation it has access at (X24 here)."""
    admin = await _practice_admin(stack)
    target, _ = await stack.user({"X24": ["Advanced User Administrator"], "E85001": ["View"]}, first="Olga")
    disabled = await stack.client.post(
        f"{API}/users/{target}/disable", headers=admin, json={"reason": "Left the organisation"}
    )
    assert disabled.status_code == 403
    assert "every organisation" in disabled.json()["detail"]
    assert "X24" in disabled.json()["detail"]


async def test_a_practice_administrator_cannot_re_enable_an_account_nhs_england_disabled(stack: Any) -> None:
    """Attack: NHS England disables an account; a practice's User Administrator, where the user
    also has access, enables it again."""
    admin = await _practice_admin(stack)
    target, _ = await stack.user({"X24": ["View"], "E85001": ["View"]}, first="Rhea")
    ada = await stack.demo("ada.advanced-admin")
    done = await stack.client.post(
        f"{API}/users/{target}/disable", headers=ada, json={"reason": "Security concern"}
    )
    assert done.status_code == 200, done.text
    enabled = await stack.client.post(f"{API}/users/{target}/enable", headers=admin, json={})
    assert enabled.status_code == 403
    again = await stack.client.post(f"{API}/users/{target}/enable", headers=ada, json={})
    assert again.status_code == 200


async def test_asking_for_access_gives_the_organisation_no_power_over_the_account(stack: Any) -> None:
    """Attack: a user merely asks for access at a practice; that practice's administrator could then
    read, disable or re-enable the whole account. Requests never count."""
    admin = await _practice_admin(stack)
    target, address = await stack.user({"QRV": ["Commissioning Management"]}, first="Sian")
    asked = await stack.client.post(
        f"{API}/access-requests", headers=await _as(stack, address), json={"organisation": "E85001"}
    )
    assert asked.status_code == 201, asked.text
    assert (await stack.client.get(f"{API}/users/{target}", headers=admin)).status_code == 403
    disabled = await stack.client.post(
        f"{API}/users/{target}/disable", headers=admin, json={"reason": "Left the organisation"}
    )
    assert disabled.status_code == 403
    listed = await stack.client.get(f"{API}/users?organisation=E85001", headers=admin)
    assert target not in {u["user_id"] for u in listed.json()}


@pytest.mark.parametrize("action", ["revoke", "disable", "enable-at"])
async def test_revoke_disable_and_enable_follow_the_role_grant_matrix(stack: Any, action: str) -> None:
    """Attack: a User Administrator revokes (or disables, or re-enables access of) an Advanced User
    Administrator, a role they may not grant or remove."""
    target, _ = await stack.user({"QRV": ["Advanced User Administrator"]}, first="Tara")
    uma = await stack.demo("uma.user-admin")
    if action == "enable-at":
        ada = await stack.demo("ada.advanced-admin")
        revoked = await stack.client.post(
            f"{API}/users/{target}/revoke", headers=ada, json={"organisation": "QRV"}
        )
        assert revoked.status_code == 200, revoked.text
        response = await stack.client.post(
            f"{API}/users/{target}/enable", headers=uma, json={"organisation": "QRV"}
        )
    elif action == "revoke":
        response = await stack.client.post(
            f"{API}/users/{target}/revoke", headers=uma, json={"organisation": "QRV"}
        )
    else:
        response = await stack.client.post(
            f"{API}/users/{target}/disable", headers=uma, json={"reason": "Left the organisation"}
        )
    assert response.status_code == 403, response.text
    assert "Advanced User Administrator" in response.json()["detail"]


async def test_a_cluster_limited_administrator_keeps_their_own_organisation(stack: Any) -> None:
    """A User Administrator at QRV limited to a cluster still acts at QRV itself (their own
    organisation), not only inside the cluster."""
    target, _ = await stack.user({"QRV": ["View"]}, first="Umar")
    carl = await stack.demo("carl.cluster-admin")
    revoked = await stack.client.post(
        f"{API}/users/{target}/revoke", headers=carl, json={"organisation": "QRV"}
    )
    assert revoked.status_code == 200, revoked.text
