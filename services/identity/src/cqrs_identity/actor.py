"""The caller of an identity command, judged by the kit's one per-grant rule (cqrs_kit.grants).

Identity evaluates with its own stores (its organisation tree and clusters are the source the
Directory of every other service is built from), so a change it just made applies at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cqrs_identity.domain.accounts import Account
from cqrs_identity.domain.errors import NotAllowed
from cqrs_identity.domain.organisations import OrganisationTree
from cqrs_identity.domain.roles import Role
from cqrs_kit.grants import Grant, OrganisationInfo, OrganisationSnapshot


def snapshot_of(tree: OrganisationTree, clusters: dict[str, list[str]]) -> OrganisationSnapshot:
    """Identity's tree and clusters in the kit's shape."""
    return OrganisationSnapshot(
        (OrganisationInfo(o.ods_code, o.name, o.kind.value, o.parent) for o in tree.all()), clusters
    )


def grants_of(account: Account) -> tuple[Grant, ...]:
    """The grants that authorise the user now: none for revoked access or inactive accounts."""
    return tuple(
        Grant(
            organisation=m.organisation,
            role=r.role.value,
            payment_types=tuple(r.payment_types),
            cluster_ids=tuple(m.cluster_ids),
        )
        for m in account.active_memberships()
        for r in m.roles
    )


@dataclass(frozen=True)
class Actor:
    """Who acts, the grants they hold, and the organisations and clusters to judge them against."""

    user_id: str
    grants: tuple[Grant, ...]
    view: OrganisationSnapshot

    def holds(self, roles: Iterable[Role], organisation: str) -> bool:
        """Whether ONE grant holds one of the roles at the organisation or above it, within its
        clusters (grants never combine)."""
        return self.view.may(self.grants, set(roles), organisation)

    def require(
        self, roles: Iterable[Role], organisation: str, *, doing: str, field: str = "organisation"
    ) -> None:
        """Refuse, saying what was attempted and why, unless ``holds``."""
        refusal = self.view.refusal(self.grants, set(roles), organisation)
        if refusal is not None:
            raise NotAllowed(f"to {doing} at {organisation}: {refusal}", field=field)

    def reaches(self, grant: Grant, organisation: str) -> bool:
        """Whether this grant's organisation and clusters cover the organisation (whatever the role)."""
        return self.view.is_at_or_above(grant.organisation, organisation) and self.view.within_clusters(
            grant, organisation
        )

    def organisations_where(self, roles: Iterable[Role]) -> set[str]:
        """Every organisation at which one grant holds one of the roles."""
        return self.view.organisations_where(self.grants, set(roles))

    @property
    def scope(self) -> frozenset[str]:
        """Every organisation some grant covers, whatever its role (for filtering what is shown)."""
        return frozenset(self.view.organisations_where(self.grants, {g.role for g in self.grants}))
