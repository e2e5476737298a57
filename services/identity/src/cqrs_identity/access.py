"""Who is calling: identity verifies its own tokens like every service, then re-reads the account
so a disabled or revoked user loses identity's own endpoints at once (other services within the
access-token lifetime)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends

from cqrs_identity import settings as identity_settings
from cqrs_identity.actor import Actor, grants_of, snapshot_of
from cqrs_identity.domain.accounts import Account, AccountStatus
from cqrs_identity.domain.organisations import OrganisationTree
from cqrs_identity.store import SIGNING_KEYS, Stores
from cqrs_identity.tokens import KeyRing
from cqrs_kit.auth import CurrentUser, TokenVerifier, grant_claims
from cqrs_kit.errors import Unauthorised
from cqrs_kit.runtime import Runtime, RuntimeDep

TREE_SECONDS = 5.0
"""How long one process trusts its copy of the organisation tree (imports also clear it)."""

DISABLED_MESSAGE = (
    "This account has been disabled, so it cannot be used to log in to CQRS. "
    "If you need help with CQRS, you can log a call with the service desk."
)


def keyring(runtime: Runtime) -> KeyRing:
    """The service's key ring (made on first use; nothing connects until a key is needed)."""
    ring = runtime.extras.get("keyring")
    if ring is None:
        ring = KeyRing(runtime.mongo.collection(SIGNING_KEYS), identity_settings.of(runtime))
        runtime.extras["keyring"] = ring
    assert isinstance(ring, KeyRing)
    return ring


def verifier(runtime: Runtime) -> TokenVerifier:
    """The same verifier other services use, reading identity's own keys without HTTP."""
    found = runtime.extras.get("verifier")
    if found is None:
        settings = identity_settings.of(runtime)
        found = TokenVerifier(
            keyring(runtime).jwks,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            min_interval_seconds=0,  # the keys are local: a new key id is looked up at once
        )
        runtime.extras["verifier"] = found
    assert isinstance(found, TokenVerifier)
    return found


async def organisation_tree(runtime: Runtime) -> OrganisationTree:
    """Every organisation as a tree, cached for a few seconds."""
    cached = runtime.extras.get("tree")
    if cached is not None and time.monotonic() - cached[0] < TREE_SECONDS:
        tree: OrganisationTree = cached[1]
        return tree
    tree = OrganisationTree(await Stores(runtime).organisations.find({}))
    runtime.extras["tree"] = (time.monotonic(), tree)
    return tree


def forget_tree(runtime: Runtime) -> None:
    """Drop the cached tree after organisations changed."""
    runtime.extras.pop("tree", None)


async def cluster_members(runtime: Runtime, cluster_ids: Iterable[str]) -> dict[str, list[str]]:
    """The organisations of each cluster named."""
    ids = sorted(set(cluster_ids))
    if not ids:
        return {}
    clusters = await Stores(runtime).clusters.find({"_id": {"$in": ids}})
    return {c.cluster_id: c.organisations for c in clusters}


async def actor_for(runtime: Runtime, account: Account, tree: OrganisationTree) -> Actor:
    """The account as an actor: its grants, judged against the current tree and its clusters."""
    grants = grants_of(account)
    members = await cluster_members(runtime, [c for g in grants for c in g.cluster_ids])
    return Actor(user_id=account.user_id, grants=grants, view=snapshot_of(tree, members))


def token_claims(account: Account) -> dict[str, Any]:
    """The claims every service reads: sub, name, email and grants (never an expanded scope)."""
    return {
        "sub": account.user_id,
        "name": f"{account.first_name} {account.last_name}",
        "email": account.email,
        "grants": grant_claims(list(grants_of(account))),
    }


@dataclass(frozen=True)
class Caller:
    """The verified caller of an identity endpoint, with their current account and scope."""

    actor: Actor
    account: Account
    tree: OrganisationTree


async def current_caller(principal: CurrentUser, runtime: RuntimeDep) -> Caller:
    """FastAPI dependency: verify the bearer token, then refuse disabled accounts at once."""
    account = await Stores(runtime).accounts.get(principal.user_id)
    if account is None:
        raise Unauthorised("this token names no account")
    if account.status is AccountStatus.DISABLED:
        raise Unauthorised(DISABLED_MESSAGE)
    tree = await organisation_tree(runtime)
    return Caller(actor=await actor_for(runtime, account, tree), account=account, tree=tree)


CallerDep = Annotated[Caller, Depends(current_caller)]
