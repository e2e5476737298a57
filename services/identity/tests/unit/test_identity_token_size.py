"""A national Advanced User Administrator's access token stays small in a tree of 8,000
organisations: it carries grants, and the kit's per-grant rule reaches the whole tree from them."""

import datetime as dt
from typing import Any, cast

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cqrs_identity.access import token_claims
from cqrs_identity.actor import grants_of
from cqrs_identity.domain.accounts import Account, AccountStatus, Membership
from cqrs_identity.domain.roles import Role, RoleAssignment
from cqrs_identity.settings import IdentitySettings
from cqrs_identity.tokens import KeyRing, SigningKey
from cqrs_kit.auth import Grant
from cqrs_kit.grants import OrganisationInfo, OrganisationSnapshot

HEADER_LIMIT = 4096


def national_tree() -> list[OrganisationInfo]:
    """NHS England, 7 regions, 42 ICBs, 1,250 PCNs and 6,700 practices: 8,000 organisations."""
    orgs = [OrganisationInfo("X24", "NHS England", "NHS England")]
    regions = [f"Y{n:02d}" for n in range(7)]
    orgs += [OrganisationInfo(r, f"Region {r}", "Region", "X24") for r in regions]
    icbs = [f"Q{n:02d}" for n in range(42)]
    orgs += [OrganisationInfo(c, f"ICB {c}", "ICB", regions[n % 7]) for n, c in enumerate(icbs)]
    orgs += [OrganisationInfo(f"U{n:05d}", f"PCN {n}", "PCN", icbs[n % 42]) for n in range(1250)]
    remaining = 8000 - len(orgs)
    orgs += [
        OrganisationInfo(f"A{n:05d}", f"Practice {n}", "GP Practice", icbs[n % 42]) for n in range(remaining)
    ]
    return orgs


def national_administrator() -> Account:
    roles = [
        Role.ADVANCED_USER_ADMINISTRATOR,
        Role.USER_ADMINISTRATOR,
        Role.VIEW,
        Role.COMMISSIONING_MANAGEMENT,
    ]
    return Account(
        user_id="00000000-0000-4000-8000-000000000001",
        email="ada.national-administrator@england.nhs.uk",
        first_name="Ada",
        last_name="National-Administrator",
        status=AccountStatus.ACTIVE,
        memberships=[
            Membership(organisation="X24", roles=[RoleAssignment(role=r) for r in roles]),
            Membership(
                organisation="Y00",
                roles=[RoleAssignment(role=Role.FINANCE_MANAGEMENT, payment_types=["QOF", "Local", "DES"])],
                cluster_ids=["8f4c1a52-0000-4000-8000-00000000c001"],
            ),
        ],
    )


async def test_national_token_is_under_4_kb_and_reaches_all_8000_organisations() -> None:
    tree = national_tree()
    assert len(tree) == 8000
    pem = SigningKey(Ed25519PrivateKey.generate()).pem()
    ring = KeyRing(cast(Any, None), IdentitySettings(identity_signing_key=pem))
    account = national_administrator()
    token, _ = await ring.access_token(token_claims(account), dt.datetime.now(dt.UTC))

    assert len(f"Authorization: Bearer {token}") < HEADER_LIMIT, len(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    grants = [Grant.model_validate(g) for g in claims["grants"]]
    assert grants == list(grants_of(account))
    view = OrganisationSnapshot(tree)
    reached = view.organisations_where(grants, Role.ADVANCED_USER_ADMINISTRATOR.value)
    assert len(reached) == 8000
