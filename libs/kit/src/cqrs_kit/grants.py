"""The one authorisation rule of CQRS, decided per grant over a snapshot of the organisation tree.

A user's access token carries their **grants**: one per role they hold at one organisation, with
the payment types that role is limited to and the Service Provider Clusters their membership of
that organisation is limited to. ``may`` holds when ONE grant allows the action on its own:

* the grant's role is the role asked for;
* the grant's organisation is the organisation acted on, or above it (an ancestor);
* when the grant is limited to clusters, the organisation is the grant's own organisation, a member
  of one of those clusters, or a descendant of a member (a cluster-limited user keeps their own
  organisation);
* when a payment type is asked about and the grant is limited to payment types, it is one of them.

A role from one membership never combines with another membership's scope: each grant is judged
alone. Pure: no I/O; identity builds a snapshot from its own stores, every other service from the
Directory read model (cqrs_kit.directory).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

Roles = str | Collection[str]
"""One role name, or several of which any will do."""


class Grant(BaseModel):
    """One role held at one organisation, limited to payment types and clusters (empty: not limited)."""

    model_config = ConfigDict(frozen=True)

    organisation: str
    role: str
    payment_types: tuple[str, ...] = Field(default=())
    cluster_ids: tuple[str, ...] = Field(default=())


@dataclass(frozen=True)
class OrganisationInfo:
    """One organisation as every service knows it."""

    ods_code: str
    name: str
    kind: str
    parent: str | None = None


@dataclass(frozen=True)
class PcnLink:
    """A practice's membership of a PCN from ``start`` to ``end`` inclusive (None: still open)."""

    relationship_id: str
    practice: str
    pcn: str
    start: dt.date
    end: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        """Whether the practice belonged to the PCN on that day."""
        return self.start <= day and (self.end is None or self.end >= day)


def role_set(roles: Roles) -> frozenset[str]:
    """The role names asked for, whether one or several were given."""
    return frozenset({roles}) if isinstance(roles, str) else frozenset(str(r) for r in roles)


class OrganisationSnapshot:
    """Organisations, clusters and PCN links at one moment, answering tree and authorisation questions."""

    def __init__(
        self,
        organisations: Iterable[OrganisationInfo],
        clusters: Mapping[str, Iterable[str]] | None = None,
        links: Iterable[PcnLink] = (),
    ) -> None:
        self._by_code = {o.ods_code: o for o in organisations}
        self._clusters = {cid: tuple(members) for cid, members in (clusters or {}).items()}
        self._links = list(links)
        self._children: dict[str, list[str]] = {}
        for org in self._by_code.values():
            if org.parent is not None:
                self._children.setdefault(org.parent, []).append(org.ods_code)

    def __len__(self) -> int:
        return len(self._by_code)

    def organisation(self, code: str) -> OrganisationInfo | None:
        """The organisation with this ODS code, if known."""
        return self._by_code.get(code)

    def ancestors(self, code: str) -> list[str]:
        """The organisations above this one, root first, nearest parent last."""
        chain: list[str] = []
        current = self._by_code.get(code)
        while current is not None and current.parent is not None and current.parent not in chain:
            chain.append(current.parent)
            current = self._by_code.get(current.parent)
        return list(reversed(chain))

    def descendants(self, code: str) -> set[str]:
        """Everything below the organisation (not itself)."""
        found: set[str] = set()
        queue = list(self._children.get(code, []))
        while queue:
            current = queue.pop()
            if current not in found:
                found.add(current)
                queue.extend(self._children.get(current, []))
        return found

    def is_at_or_above(self, code: str, target: str) -> bool:
        """Whether ``code`` is ``target`` itself or one of its ancestors."""
        return code == target or code in self.ancestors(target)

    def cluster_members(self, cluster_id: str) -> tuple[str, ...]:
        """The organisations listed in a cluster (none when the cluster is unknown)."""
        return self._clusters.get(cluster_id, ())

    # --- the rule -------------------------------------------------------------------------------

    def within_clusters(self, grant: Grant, organisation: str) -> bool:
        """Whether the organisation lies inside the grant's cluster limit (always, when it has none)."""
        if not grant.cluster_ids or organisation == grant.organisation:
            return True
        members = {m for cid in grant.cluster_ids for m in self.cluster_members(cid)}
        return organisation in members or any(a in members for a in self.ancestors(organisation))

    def grant_allows(
        self, grant: Grant, roles: Roles, organisation: str, *, payment_type: str | None = None
    ) -> bool:
        """Whether this one grant allows acting in one of the roles at the organisation."""
        if grant.role not in role_set(roles):
            return False
        if payment_type is not None and grant.payment_types and payment_type not in grant.payment_types:
            return False
        return self.is_at_or_above(grant.organisation, organisation) and self.within_clusters(
            grant, organisation
        )

    def may(
        self, grants: Iterable[Grant], roles: Roles, organisation: str, *, payment_type: str | None = None
    ) -> bool:
        """Whether any single grant allows it (grants never combine)."""
        return any(self.grant_allows(g, roles, organisation, payment_type=payment_type) for g in grants)

    def refusal(
        self, grants: Iterable[Grant], roles: Roles, organisation: str, *, payment_type: str | None = None
    ) -> str | None:
        """Why the grants do not allow it, in words a user can act on, or None when they do."""
        grants = list(grants)
        if self.may(grants, roles, organisation, payment_type=payment_type):
            return None
        names = ", ".join(sorted(role_set(roles)))
        held = [g for g in grants if g.role in role_set(roles)]
        if not held:
            return f"you need one of these roles: {names}"
        above = [g for g in held if self.is_at_or_above(g.organisation, organisation)]
        if not above:
            where = ", ".join(sorted({g.organisation for g in held}))
            return (
                f"{organisation} is outside the organisations you may act on as {names} "
                f"(you hold it at {where}, which is not {organisation} or above it)"
            )
        if not any(self.within_clusters(g, organisation) for g in above):
            return f"{organisation} is outside the Service Provider Clusters your access is limited to"
        return f"your {names} role is limited to other payment types than {payment_type}"

    def organisations_where(self, grants: Iterable[Grant], roles: Roles) -> set[str]:
        """Every known organisation at which one of the grants allows one of the roles."""
        wanted = role_set(roles)
        found: set[str] = set()
        for grant in grants:
            if grant.role not in wanted or grant.organisation not in self._by_code:
                continue
            reach = {grant.organisation} | self.descendants(grant.organisation)
            if grant.cluster_ids:
                members = {m for cid in grant.cluster_ids for m in self.cluster_members(cid)}
                limited = {grant.organisation} | {
                    o for m in members if m in reach for o in {m} | self.descendants(m)
                }
                reach &= limited
            found |= reach
        return found

    # --- PCN relationships ------------------------------------------------------------------------

    def pcn_practices(self, pcn: str, on: dt.date) -> set[str]:
        """The practices that belonged to the PCN on that day."""
        return {link.practice for link in self._links if link.pcn == pcn and link.active_on(on)}

    def practice_pcn(self, practice: str, on: dt.date) -> str | None:
        """The PCN the practice belonged to on that day, if any."""
        for link in self._links:
            if link.practice == practice and link.active_on(on):
                return link.pcn
        return None
