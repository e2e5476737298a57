"""Dated PCN relationships of GP practices, and the Network organisation relationship report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from cqrs_contracts.events import Event
from cqrs_contracts.events.identity import PcnRelationshipEnded, PcnRelationshipStarted
from cqrs_identity.errors import NotAllowed, RuleBroken
from cqrs_identity.organisations.tree import OrganisationKind, OrganisationTree


class PcnRelationship(BaseModel):
    """A practice's membership of a PCN from ``start`` to ``end`` (inclusive; None: still open)."""

    model_config = ConfigDict(extra="ignore")

    relationship_id: str
    practice: str
    pcn: str
    start: dt.date
    end: dt.date | None = None

    def overlaps(self, start: dt.date, end: dt.date | None) -> bool:
        """Whether the relationship shares at least one day with the period."""
        starts_in_time = end is None or self.start <= end
        return starts_in_time and (self.end is None or self.end >= start)

    def active_on(self, day: dt.date) -> bool:
        """Whether the practice belonged to the PCN on that day."""
        return self.start <= day and (self.end is None or self.end >= day)


class PracticePcns(BaseModel):
    """Every PCN relationship of one practice: the aggregate that keeps them from overlapping."""

    model_config = ConfigDict(extra="ignore")

    practice: str
    relationships: list[PcnRelationship] = Field(default_factory=list)
    version: int = 0


def relationship_id(practice: str, pcn: str, start: dt.date) -> str:
    """A stable id, so importing the same row twice finds the same relationship."""
    return f"{practice}:{pcn}:{start.isoformat()}"


def start_relationship(
    state: PracticePcns,
    tree: OrganisationTree,
    pcn: str,
    start: dt.date,
    end: dt.date | None,
    *,
    now: dt.datetime,
) -> list[Event]:
    """Decide a practice joining a PCN; an identical relationship already recorded changes nothing."""
    practice = state.practice
    if tree.get(practice).kind is not OrganisationKind.PRACTICE:
        raise RuleBroken(f"{practice} is not a GP practice", field="practice")
    if tree.get(pcn).kind is not OrganisationKind.PCN:
        raise RuleBroken(f"{pcn} is not a PCN", field="pcn")
    if end is not None and end < start:
        raise RuleBroken("the end date must be on or after the start date", field="end")
    rid = relationship_id(practice, pcn, start)
    existing = next((r for r in state.relationships if r.relationship_id == rid), None)
    if existing is not None:
        if existing.end == end:
            return []
        if end is None or existing.end is not None:
            raise RuleBroken(
                f"{practice} already has this relationship ending {existing.end or 'never'}", field="end"
            )
        return end_relationship(state, rid, end, now)
    for other in state.relationships:
        if other.overlaps(start, end):
            raise RuleBroken(
                f"{practice} already belongs to {other.pcn} from {other.start} to "
                f"{other.end or 'now'}; end that relationship first",
                field="start",
            )
    return [
        PcnRelationshipStarted(
            relationship_id=rid,
            practice_ods_code=practice,
            pcn_ods_code=pcn,
            start_date=start,
            end_date=end,
            recorded_at=now,
        )
    ]


def end_relationship(state: PracticePcns, rid: str, end: dt.date, now: dt.datetime) -> list[Event]:
    """Decide a practice leaving a PCN on ``end`` (inclusive)."""
    current = next((r for r in state.relationships if r.relationship_id == rid), None)
    if current is None:
        raise RuleBroken(f"{state.practice} has no relationship {rid}", field="relationship_id")
    if current.end is not None:
        if current.end == end:
            return []
        raise RuleBroken(f"this relationship already ended on {current.end}", field="end")
    if end < current.start:
        raise RuleBroken("the end date must be on or after the start date", field="end")
    later = [r for r in state.relationships if r is not current and r.start > current.start]
    if any(r.start <= end for r in later):
        raise RuleBroken("the end date overlaps the practice's next PCN relationship", field="end")
    return [
        PcnRelationshipEnded(
            relationship_id=rid,
            practice_ods_code=state.practice,
            pcn_ods_code=current.pcn,
            end_date=end,
            recorded_at=now,
        )
    ]


def apply(state: PracticePcns, event: Event) -> PracticePcns:
    """Fold a relationship event into the practice's relationships."""
    rels = list(state.relationships)
    if isinstance(event, PcnRelationshipStarted):
        rels.append(
            PcnRelationship(
                relationship_id=event.relationship_id,
                practice=event.practice_ods_code,
                pcn=event.pcn_ods_code,
                start=event.start_date,
                end=event.end_date,
            )
        )
    elif isinstance(event, PcnRelationshipEnded):
        rels = [
            r.model_copy(update={"end": event.end_date}) if r.relationship_id == event.relationship_id else r
            for r in rels
        ]
    rels.sort(key=lambda r: r.start)
    return state.model_copy(update={"relationships": rels})


class ReportViewer(BaseModel):
    """Who runs the report: a commissioner limited to a scope, or a provider limited to own PCNs."""

    commissioner_scope: frozenset[str] | None = None
    own_pcns: frozenset[str] = frozenset()


class ReportLine(BaseModel):
    """One line of the Network organisation relationship report."""

    pcn: str
    practice: str
    start: dt.date
    end: dt.date | None
    current: bool


def relationship_report(
    relationships: Iterable[PcnRelationship],
    *,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    viewer: ReportViewer,
    pcn: str | None = None,
    practice: str | None = None,
) -> list[ReportLine]:
    """Relationships overlapping [start, end] that this viewer may see, filtered as the guide says.

    "Current" means active on the period's last day, or today when the period runs on past it.
    Filtered to a PCN: that PCN's practices with a current relationship. Filtered to a practice:
    all its relationships in the period, current and past. GP and PCN users always see the current
    practices of their own PCN; commissioners see relationships touching their scope.
    """
    if end < start:
        raise RuleBroken("the end date must be on or after the start date", field="end")
    as_of = min(end, today)
    lines = [r for r in relationships if r.overlaps(start, end)]
    if viewer.commissioner_scope is None:
        if pcn is not None and pcn not in viewer.own_pcns:
            raise NotAllowed("you can only run this report for your own PCN", field="pcn")
        lines = [r for r in lines if r.pcn in viewer.own_pcns and r.active_on(as_of)]
    else:
        scope = viewer.commissioner_scope
        if pcn is not None and pcn not in scope:
            raise NotAllowed(f"{pcn} is outside the organisations you may act on", field="pcn")
        if practice is not None and practice not in scope:
            raise NotAllowed(f"{practice} is outside the organisations you may act on", field="practice")
        lines = [r for r in lines if r.pcn in scope or r.practice in scope]
        if pcn is not None:
            lines = [r for r in lines if r.pcn == pcn and r.active_on(as_of)]
    if practice is not None:
        lines = [r for r in lines if r.practice == practice]
    lines.sort(key=lambda r: (r.pcn, r.practice, r.start))
    return [
        ReportLine(pcn=r.pcn, practice=r.practice, start=r.start, end=r.end, current=r.active_on(as_of))
        for r in lines
    ]


def pcns_of(relationships: Iterable[PcnRelationship], practices: Iterable[str], day: dt.date) -> set[str]:
    """The PCNs these practices belong to on that day."""
    wanted = set(practices)
    return {r.pcn for r in relationships if r.practice in wanted and r.active_on(day)}
