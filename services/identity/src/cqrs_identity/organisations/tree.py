"""Organisations and their tree: kinds, ODS codes, parents, descendants and ancestors."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from cqrs_contracts.events import Event
from cqrs_contracts.events.identity import OrganisationAdded, OrganisationChanged
from cqrs_identity.errors import RuleBroken, Unknown


class OrganisationKind(StrEnum):
    """The kinds of organisation, as users see them."""

    NHS_ENGLAND = "NHS England"
    REGION = "Region"
    ICB = "ICB"
    PCN = "PCN"
    PRACTICE = "GP Practice"
    FEDERATION = "Federation"


COMMISSIONER_KINDS = frozenset({OrganisationKind.NHS_ENGLAND, OrganisationKind.REGION, OrganisationKind.ICB})
"""Organisations that commission Quality Services and review providers' work."""

PROVIDER_KINDS = frozenset({OrganisationKind.PCN, OrganisationKind.PRACTICE, OrganisationKind.FEDERATION})
"""Service Providers: they are offered services, claim and declare."""

#: Which kind of organisation may be the parent of each kind (None: it is the root).
PARENT_KINDS: dict[OrganisationKind, frozenset[OrganisationKind | None]] = {
    OrganisationKind.NHS_ENGLAND: frozenset({None}),
    OrganisationKind.REGION: frozenset({OrganisationKind.NHS_ENGLAND}),
    OrganisationKind.ICB: frozenset({OrganisationKind.REGION}),
    OrganisationKind.PCN: frozenset({OrganisationKind.ICB}),
    OrganisationKind.PRACTICE: frozenset({OrganisationKind.ICB}),
    OrganisationKind.FEDERATION: frozenset({OrganisationKind.ICB}),
}

#: ODS-style code shapes per kind: PCNs start with U, practices are a letter and five digits.
ODS_PATTERNS: dict[OrganisationKind, re.Pattern[str]] = {
    OrganisationKind.NHS_ENGLAND: re.compile(r"^[A-Z0-9]{3}$"),
    OrganisationKind.REGION: re.compile(r"^[A-Z0-9]{3}$"),
    OrganisationKind.ICB: re.compile(r"^[A-Z0-9]{3}$"),
    OrganisationKind.PCN: re.compile(r"^U\d{5}$"),
    OrganisationKind.PRACTICE: re.compile(r"^[A-Z]\d{5}$"),
    OrganisationKind.FEDERATION: re.compile(r"^[A-Z0-9]{3,6}$"),
}
ODS_EXAMPLES = {
    OrganisationKind.PCN: "U12345",
    OrganisationKind.PRACTICE: "A81001",
    OrganisationKind.FEDERATION: "F1234",
}


class Organisation(BaseModel):
    """One organisation as identity keeps it."""

    model_config = ConfigDict(extra="ignore")

    ods_code: str
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind
    parent: str | None = None
    version: int = 0

    def same_as(self, other: Organisation) -> bool:
        """Whether nothing users see differs (versions aside)."""
        return (self.name, self.kind, self.parent) == (other.name, other.kind, other.parent)


def ods_code_problem(code: str, kind: OrganisationKind) -> str | None:
    """Why an ODS code cannot belong to an organisation of this kind, or None when it can."""
    if ODS_PATTERNS[kind].match(code):
        return None
    example = ODS_EXAMPLES.get(kind, "QWE")
    return f"{code!r} is not an ODS code of a {kind.value} (expected something like {example})"


class OrganisationTree:
    """All organisations, answering parent, children, descendants and ancestors questions."""

    def __init__(self, organisations: Iterable[Organisation]) -> None:
        self._by_code = {o.ods_code: o for o in organisations}
        self._children: dict[str, list[str]] = {}
        for org in self._by_code.values():
            if org.parent is not None:
                self._children.setdefault(org.parent, []).append(org.ods_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)

    def all(self) -> list[Organisation]:
        """Every organisation, ordered by ODS code."""
        return [self._by_code[c] for c in sorted(self._by_code)]

    def get(self, code: str) -> Organisation:
        """The organisation with this ODS code, or Unknown naming it."""
        try:
            return self._by_code[code]
        except KeyError:
            raise Unknown(f"there is no organisation {code!r}", field="organisation") from None

    def find(self, code: str) -> Organisation | None:
        """The organisation with this ODS code, if known."""
        return self._by_code.get(code)

    def descendants(self, code: str) -> list[str]:
        """Everything below the organisation (not itself), nearest first."""
        found: list[str] = []
        queue = list(self._children.get(code, []))
        while queue:
            current = queue.pop(0)
            if current in found:
                continue
            found.append(current)
            queue.extend(self._children.get(current, []))
        return found

    def ancestors(self, code: str) -> list[str]:
        """The organisations above this one, root first, nearest parent last."""
        chain: list[str] = []
        current = self._by_code.get(code)
        while current is not None and current.parent is not None and current.parent not in chain:
            chain.append(current.parent)
            current = self._by_code.get(current.parent)
        return list(reversed(chain))

    def is_descendant(self, code: str, of: str) -> bool:
        """Whether ``code`` lies strictly below ``of``."""
        return of in self.ancestors(code)

    def with_descendants(self, codes: Iterable[str]) -> set[str]:
        """The given organisations and everything below them."""
        result: set[str] = set()
        for code in codes:
            if code in self._by_code:
                result.add(code)
                result.update(self.descendants(code))
        return result

    def is_at_or_above(self, code: str, target: str) -> bool:
        """Whether ``code`` is ``target`` itself or one of its ancestors."""
        return code == target or code in self.ancestors(target)


def _check_parent(org: Organisation, tree: OrganisationTree) -> None:
    """Refuse a parent that is missing, of the wrong kind, or that would make a cycle."""
    allowed = PARENT_KINDS[org.kind]
    if org.parent is None:
        if None not in allowed:
            raise RuleBroken(f"a {org.kind.value} needs a parent organisation", field="parent")
        return
    parent = tree.find(org.parent)
    if parent is None:
        raise RuleBroken(
            f"parent {org.parent!r} of {org.ods_code} is not a known organisation", field="parent"
        )
    if parent.kind not in allowed:
        names = " or ".join(sorted(k.value for k in allowed if k is not None)) or "nothing"
        raise RuleBroken(
            f"the parent of a {org.kind.value} must be a {names}, not {parent.kind.value} {parent.ods_code}",
            field="parent",
        )
    if org.parent == org.ods_code or org.ods_code in tree.ancestors(org.parent):
        raise RuleBroken(f"{org.ods_code} cannot sit below itself", field="parent")


def plan_import(
    tree: OrganisationTree, incoming: Iterable[Organisation], now: dt.datetime
) -> tuple[OrganisationTree, list[tuple[Organisation, list[Event]]]]:
    """Decide what loading organisations changes: each new or changed one with its event.

    Parents may come after children in the input; an organisation whose parent moved gets an
    OrganisationChanged too, because the ``ancestors`` its readers keep changed.
    """
    merged = {o.ods_code: o for o in tree.all()}
    for org in incoming:
        problem = ods_code_problem(org.ods_code, org.kind)
        if problem:
            raise RuleBroken(problem, field="ods_code")
        known = merged.get(org.ods_code)
        merged[org.ods_code] = org.model_copy(update={"version": known.version if known else 0})
    new_tree = OrganisationTree(merged.values())
    for org in new_tree.all():
        _check_parent(org, new_tree)
    planned: list[tuple[Organisation, list[Event]]] = []
    for org in new_tree.all():
        before = tree.find(org.ods_code)
        ancestors = new_tree.ancestors(org.ods_code)
        fields = {
            "ods_code": org.ods_code,
            "organisation_name": org.name,
            "kind": org.kind.value,
            "parent_ods_code": org.parent,
            "ancestors": ancestors,
        }
        if before is None:
            added = OrganisationAdded.model_validate({**fields, "added_at": now})
            planned.append((org, [added]))
        elif not before.same_as(org) or tree.ancestors(org.ods_code) != ancestors:
            changed = OrganisationChanged.model_validate({**fields, "changed_at": now})
            planned.append((org, [changed]))
    return new_tree, planned
