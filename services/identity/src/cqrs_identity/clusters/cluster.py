"""Service Provider Clusters: named sets of a commissioner's descendant organisations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field, computed_field

from cqrs_contracts.events import Event
from cqrs_contracts.events.identity import ClusterChanged, ClusterCreated
from cqrs_identity.errors import RuleBroken
from cqrs_identity.organisations.tree import OrganisationTree

NAME_MAX = 100
DESCRIPTION_MAX = 500
NO_CLUSTERS_MESSAGE = "There are no Provider Clusters defined for this organisation"


class Cluster(BaseModel):
    """A cluster as saved; ``short_name`` is made by the system and never changes."""

    model_config = ConfigDict(extra="ignore")

    cluster_id: str
    organisation: str
    short_name: str
    name: str
    description: str = ""
    organisations: list[str] = Field(default_factory=list)
    version: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def name_key(self) -> str:
        """The name compared case-insensitively: unique within the organisation."""
        return name_key(self.name)


def name_key(name: str) -> str:
    """How two names are compared for uniqueness ("North  PCNs" equals "north pcns")."""
    return " ".join(name.lower().split())


def short_name(organisation: str, sequence: int) -> str:
    """The system-made short name: the owner's ODS code and a number, e.g. ``QWE-C001``."""
    return f"{organisation}-C{sequence:03d}"


def _name(name: str, taken: Iterable[str]) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise RuleBroken("give the cluster a name", field="name")
    if len(clean) > NAME_MAX:
        raise RuleBroken(f"use at most {NAME_MAX} characters", field="name")
    if name_key(clean) in {name_key(t) for t in taken}:
        raise RuleBroken(
            f"this organisation already has a cluster called {clean!r}; choose a unique, descriptive name",
            field="name",
        )
    return clean


def _description(description: str) -> str:
    text = description.strip()
    if len(text) > DESCRIPTION_MAX:
        raise RuleBroken(f"use at most {DESCRIPTION_MAX} characters", field="description")
    return text


def _members(owner: str, organisations: Iterable[str], tree: OrganisationTree) -> list[str]:
    chosen: list[str] = []
    for code in organisations:
        if code not in tree:
            raise RuleBroken(f"there is no organisation {code!r}", field="organisations")
        if not tree.is_descendant(code, owner):
            raise RuleBroken(
                f"{code} is not one of {owner}'s descendant organisations", field="organisations"
            )
        if code not in chosen:
            chosen.append(code)
    return chosen


def create(
    *,
    cluster_id: str,
    organisation: str,
    sequence: int,
    name: str,
    description: str,
    organisations: Sequence[str],
    taken_names: Iterable[str],
    tree: OrganisationTree,
    actor: str,
    now: dt.datetime,
) -> list[Event]:
    """Create a cluster of chosen descendant organisations under a unique name."""
    members = _members(organisation, organisations, tree)
    if not members:
        raise RuleBroken("choose at least one organisation", field="organisations")
    return [
        ClusterCreated(
            cluster_id=cluster_id,
            organisation_ods_code=organisation,
            short_name=short_name(organisation, sequence),
            cluster_name=_name(name, taken_names),
            description=_description(description),
            organisations=members,
            created_by=actor,
            created_at=now,
        )
    ]


def change(
    cluster: Cluster,
    *,
    name: str | None = None,
    description: str | None = None,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    taken_names: Iterable[str] = (),
    tree: OrganisationTree,
    actor: str,
    now: dt.datetime,
) -> list[Event]:
    """Rename, describe, add or remove organisations; the short name stays as it was."""
    new_name = cluster.name
    if name is not None and name_key(name) != cluster.name_key:
        new_name = _name(name, [t for t in taken_names if name_key(t) != cluster.name_key])
    elif name is not None:
        new_name = " ".join(name.split())
    new_description = cluster.description if description is None else _description(description)
    added = [c for c in _members(cluster.organisation, add, tree) if c not in cluster.organisations]
    missing = [c for c in remove if c not in cluster.organisations]
    if missing:
        raise RuleBroken(f"{', '.join(missing)} is not in this cluster", field="organisations")
    members = [c for c in cluster.organisations if c not in remove] + added
    if not members:
        raise RuleBroken("a cluster needs at least one organisation", field="organisations")
    same = (new_name, new_description, members) == (cluster.name, cluster.description, cluster.organisations)
    if same:
        return []
    return [
        ClusterChanged(
            cluster_id=cluster.cluster_id,
            organisation_ods_code=cluster.organisation,
            short_name=cluster.short_name,
            cluster_name=new_name,
            description=new_description,
            organisations=members,
            added=added,
            removed=[c for c in remove if c in cluster.organisations],
            changed_by=actor,
            changed_at=now,
        )
    ]


def apply(cluster: Cluster | None, event: Event) -> Cluster:
    """Fold a cluster event into the cluster."""
    if isinstance(event, ClusterCreated | ClusterChanged):
        return Cluster(
            cluster_id=event.cluster_id,
            organisation=event.organisation_ods_code,
            short_name=event.short_name,
            name=event.cluster_name,
            description=event.description,
            organisations=list(event.organisations),
            version=cluster.version if cluster else 0,
        )
    msg = f"{event.name} is not a cluster event"
    raise ValueError(msg)
