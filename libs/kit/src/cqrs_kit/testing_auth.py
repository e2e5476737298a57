"""Test helpers for authorisation (re-exported by cqrs_kit.testing): tokens any service under test
trusts, and a Directory seeded with organisations, clusters and PCN relationships.

How a test gets "a Commissioning Management user at ICB QWE" in a few lines::

    from cqrs_kit.testing import bearer, grant, isolated_settings, running_app, seed_standard_tree
    from cqrs_kit.app import runtime_of

    app = create_app(isolated_settings("claims"))        # trusts TEST_KEY's JWKS (settings.jwks_json)
    async with running_app(app) as client:
        await seed_standard_tree(runtime_of(app).directory)   # X24 > Y56 > QWE/QXX > PCNs, practices
        headers = bearer(grant("Commissioning Management", "QWE"))
        await client.get("/api/claims/...", headers=headers)

``isolated_settings`` puts the test key's public JWKS into ``jwks_json``, so every service built from
it (in this process or a ServiceProcess) verifies ``token_for``/``bearer`` tokens like real ones.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from cqrs_contracts.events.base import Event
from cqrs_contracts.events.identity import ClusterCreated, OrganisationAdded, PcnRelationshipStarted
from cqrs_kit.auth import grant_claims
from cqrs_kit.directory import Directory
from cqrs_kit.grants import Grant

TEST_KEY = Ed25519PrivateKey.generate()
"""The signing key of test tokens: made fresh in every test process, never a shared secret."""
TEST_KID = f"cqrs-test-{uuid.uuid4().hex[:8]}"
ISSUER = "cqrs-identity"
AUDIENCE = "cqrs"


def trusted_jwks() -> dict[str, Any]:
    """The JWKS publishing TEST_KEY's public half."""
    public: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(TEST_KEY.public_key()))
    return {"keys": [{**public, "kid": TEST_KID, "alg": "EdDSA", "use": "sig"}]}


def trusted_jwks_json() -> str:
    """trusted_jwks() as the text of the CQRS_JWKS_JSON setting."""
    return json.dumps(trusted_jwks(), separators=(",", ":"))


def grant(
    role: str, organisation: str, *, payment_types: Sequence[str] = (), cluster_ids: Sequence[str] = ()
) -> Grant:
    """One grant: ``grant("Commissioning Management", "QWE")``."""
    return Grant(
        organisation=organisation,
        role=role,
        payment_types=tuple(payment_types),
        cluster_ids=tuple(cluster_ids),
    )


def token_for(
    *grants: Grant,
    user_id: str | None = None,
    name: str = "Test User",
    email: str = "test.user@example.nhs.uk",
    lifetime: int = 7200,
    issuer: str = ISSUER,
    audience: str = AUDIENCE,
) -> str:
    """An access token shaped like identity's, signed by TEST_KEY, for a user holding these grants.

    It lives two hours by default (identity's own last minutes): module-level tokens must outlast a
    whole test run on a loaded machine; pass ``lifetime`` to test expiry.
    """
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {
        "sub": user_id or f"user-{uuid.uuid4().hex[:12]}",
        "name": name,
        "email": email,
        "grants": grant_claims(list(grants)),
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "nbf": now - 5,
        "exp": now + lifetime,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, TEST_KEY, algorithm="EdDSA", headers={"kid": TEST_KID})


def bearer(*grants: Grant, **options: Any) -> dict[str, str]:
    """Request headers carrying ``token_for(*grants, **options)``."""
    return {"Authorization": f"Bearer {token_for(*grants, **options)}"}


def organisation(
    ods_code: str,
    kind: str,
    parent: str | None = None,
    *,
    name: str | None = None,
    ancestors: Sequence[str] = (),
) -> OrganisationAdded:
    """An OrganisationAdded as identity would publish it (kind: "ICB", "PCN", "GP Practice", ...)."""
    return OrganisationAdded.model_validate(
        {
            "ods_code": ods_code,
            "organisation_name": name or f"{kind} {ods_code}",
            "kind": kind,
            "parent_ods_code": parent,
            "ancestors": list(ancestors),
            "added_at": dt.datetime.now(dt.UTC),
        }
    )


def cluster(
    cluster_id: str, owner: str, members: Iterable[str], *, name: str | None = None
) -> ClusterCreated:
    """A ClusterCreated: ``owner``'s Service Provider Cluster listing ``members``."""
    return ClusterCreated(
        cluster_id=cluster_id,
        organisation_ods_code=owner,
        short_name=f"{owner}-C001",
        cluster_name=name or f"Cluster {cluster_id}",
        organisations=list(members),
        created_by="test",
        created_at=dt.datetime.now(dt.UTC),
    )


def pcn_link(practice: str, pcn: str, start: dt.date, end: dt.date | None = None) -> PcnRelationshipStarted:
    """A PcnRelationshipStarted: ``practice`` belongs to ``pcn`` from ``start`` (to ``end``)."""
    return PcnRelationshipStarted(
        relationship_id=f"{practice}:{pcn}:{start.isoformat()}",
        practice_ods_code=practice,
        pcn_ods_code=pcn,
        start_date=start,
        end_date=end,
        recorded_at=dt.datetime.now(dt.UTC),
    )


STANDARD_TREE: tuple[tuple[str, str, str | None], ...] = (
    ("X24", "NHS England", None),
    ("Y56", "Region", "X24"),
    ("QWE", "ICB", "Y56"),
    ("QXX", "ICB", "Y56"),
    ("U11111", "PCN", "QWE"),
    ("U22222", "PCN", "QWE"),
    ("U33333", "PCN", "QXX"),
    ("A81001", "GP Practice", "QWE"),
    ("A81002", "GP Practice", "QWE"),
    ("A81003", "GP Practice", "QWE"),
    ("B82001", "GP Practice", "QXX"),
)
"""(ODS code, kind, parent) of the tree seed_standard_tree loads."""

STANDARD_LINKS = (("A81001", "U11111"), ("A81002", "U11111"), ("A81003", "U22222"), ("B82001", "U33333"))
"""(practice, PCN) relationships seed_standard_tree starts on 2020-04-01, still open."""


def standard_tree_events() -> list[Event]:
    """The events of the standard tree: organisations and PCN relationships."""
    events: list[Event] = [organisation(code, kind, parent) for code, kind, parent in STANDARD_TREE]
    events += [pcn_link(practice, pcn, dt.date(2020, 4, 1)) for practice, pcn in STANDARD_LINKS]
    return events


async def seed_directory(directory: Directory, events: Iterable[Event]) -> None:
    """Apply identity events to a Directory as its consumer would (no Kafka needed).

    The helpers here date events now, so they win over older events about the same codes that
    earlier runs left on the shared topic (the Directory keeps the newest per organisation).
    """
    for number, event in enumerate(events):
        await directory.apply(event, event_id=f"seed-{number}-{uuid.uuid4().hex[:8]}")


async def seed_standard_tree(directory: Directory, *extra: Event) -> None:
    """Seed STANDARD_TREE and STANDARD_LINKS, then any extra events (clusters, more organisations)."""
    await seed_directory(directory, [*standard_tree_events(), *extra])
