"""Effective scope: which organisations a user may act on, given their organisations and clusters.

A user's scope, per organisation they hold access at (revoked access counts for nothing):

* with no cluster there: that organisation and all its descendants;
* assigned to clusters there: the organisations of those clusters and their descendants only.

The union over their organisations is their effective scope. ``may_act_on`` is the one question
every service asks; services other than identity read the answer from the ``scope_orgs`` claim of
the caller's access token.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from cqrs_identity.domain.errors import NotAllowed
from cqrs_identity.domain.organisations import OrganisationTree
from cqrs_identity.domain.roles import Grant, Role


class Access(BaseModel):
    """What one membership contributes: the organisation and the clusters limiting it there."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    cluster_ids: tuple[str, ...] = ()


def effective_scope(
    accesses: Iterable[Access], cluster_members: Mapping[str, Sequence[str]], tree: OrganisationTree
) -> frozenset[str]:
    """The organisations a user may act on (see the module docstring for the rule)."""
    scope: set[str] = set()
    for access in accesses:
        if access.cluster_ids:
            roots = [org for cid in access.cluster_ids for org in cluster_members.get(cid, ())]
        else:
            roots = [access.organisation]
        scope |= tree.with_descendants(roots)
    return frozenset(scope)


def may_act_on(scope: frozenset[str], organisation: str) -> bool:
    """Whether a user with this effective scope may act on this organisation."""
    return organisation in scope


class Actor(BaseModel):
    """The caller of a command: who they are, the roles they hold, and their effective scope."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    grants: tuple[Grant, ...] = ()
    scope: frozenset[str] = frozenset()

    def may_act_on(self, organisation: str) -> bool:
        """Whether the organisation lies in this actor's effective scope."""
        return may_act_on(self.scope, organisation)

    def holds(self, roles: Iterable[Role], organisation: str, tree: OrganisationTree) -> bool:
        """Whether the actor holds one of the roles at the organisation or above it, and may act
        on it."""
        wanted = set(roles)
        return self.may_act_on(organisation) and any(
            g.role in wanted and tree.is_at_or_above(g.organisation, organisation) for g in self.grants
        )

    def require(
        self,
        roles: Iterable[Role],
        organisation: str,
        tree: OrganisationTree,
        *,
        doing: str,
        field: str = "organisation",
    ) -> None:
        """Refuse, saying what was attempted, unless the actor holds a role for this."""
        needed = set(roles)
        if not self.may_act_on(organisation):
            raise NotAllowed(f"{organisation} is outside the organisations you may act on", field=field)
        if not self.holds(needed, organisation, tree):
            names = ", ".join(sorted(r.value for r in needed))
            raise NotAllowed(
                f"to {doing} at {organisation} you need one of these roles there or above it: {names}",
                field=field,
            )

    def organisations_with(self, roles: Iterable[Role]) -> set[str]:
        """Where the actor holds one of these roles."""
        wanted = set(roles)
        return {g.organisation for g in self.grants if g.role in wanted}
