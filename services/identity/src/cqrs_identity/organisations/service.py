"""Organisation use cases: load organisations and PCN relationships, query the tree, run the
Network organisation relationship report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel

from cqrs_contracts.events import Event
from cqrs_identity.access import Caller, forget_tree, organisation_tree
from cqrs_identity.context import Context
from cqrs_identity.errors import RuleBroken
from cqrs_identity.organisations import relationships as rel
from cqrs_identity.organisations.tree import (
    COMMISSIONER_KINDS,
    Organisation,
    OrganisationKind,
    OrganisationTree,
    plan_import,
)


@dataclass(frozen=True)
class RelationshipRow:
    """One PCN relationship to record: practice, PCN, start and optional end."""

    practice: str
    pcn: str
    start: dt.date
    end: dt.date | None = None


async def _plan_relationships(
    ctx: Context, tree: OrganisationTree, rows: Iterable[RelationshipRow]
) -> list[tuple[rel.PracticePcns, list[Event]]]:
    """Decide every row against the practices' current relationships, saving nothing."""
    ordered = sorted(rows, key=lambda r: (r.practice, r.start))
    codes = sorted({r.practice for r in ordered})
    for code in codes:
        tree.get(code)
    states = {s.practice: s for s in await ctx.stores.practice_pcns.find({"_id": {"$in": codes}})}
    made: dict[str, list[Event]] = {}
    for row in ordered:
        state = states.get(row.practice) or rel.PracticePcns(practice=row.practice)
        events = rel.start_relationship(state, tree, row.pcn, row.start, row.end, now=ctx.now)
        for event in events:
            state = rel.apply(state, event)
        states[row.practice] = state
        made.setdefault(row.practice, []).extend(events)
    return [(states[code], events) for code, events in made.items() if events]


async def import_organisations(
    ctx: Context, incoming: Iterable[Organisation], rows: Iterable[RelationshipRow] = ()
) -> tuple[int, int]:
    """Add or change organisations and record PCN relationships. Everything is checked first,
    so a bad row saves nothing; each change is then saved with its event. Returns
    (organisations changed, relationship events)."""
    forget_tree(ctx.runtime)
    tree = await organisation_tree(ctx.runtime)
    new_tree, planned = plan_import(tree, incoming, ctx.now)
    practices = await _plan_relationships(ctx, new_tree, rows)
    for org, events in planned:
        await ctx.stores.organisations.save(
            org, events, correlation_id=ctx.correlation_id, actor=ctx.actor_id
        )
    forget_tree(ctx.runtime)
    for state, events in practices:
        await ctx.stores.practice_pcns.save(
            state, events, correlation_id=ctx.correlation_id, actor=ctx.actor_id
        )
    return len(planned), sum(len(events) for _, events in practices)


async def record_relationship(ctx: Context, row: RelationshipRow) -> int:
    """Record one practice joining (and maybe leaving) a PCN; returns how many events it made."""
    return (await import_organisations(ctx, [], [row]))[1]


async def end_relationship(ctx: Context, practice: str, relationship_id: str, end: dt.date) -> int:
    """Record a practice leaving a PCN on a date."""
    store = ctx.stores.practice_pcns
    state = await store.get(practice)
    if state is None:
        raise RuleBroken(f"{practice} has no PCN relationships", field="practice")
    events = rel.end_relationship(state, relationship_id, end, ctx.now)
    for event in events:
        state = rel.apply(state, event)
    if events:
        await store.save(state, events, correlation_id=ctx.correlation_id, actor=ctx.actor_id)
    return len(events)


async def all_relationships(ctx: Context) -> list[rel.PcnRelationship]:
    """Every PCN relationship of every practice."""
    return [r for p in await ctx.stores.practice_pcns.find({}) for r in p.relationships]


class ReportLine(BaseModel):
    """One line of the Network organisation relationship report, with names."""

    pcn_ods_code: str
    pcn_name: str
    practice_ods_code: str
    practice_name: str
    start_date: dt.date
    end_date: dt.date | None
    current: bool


def viewer_of(caller: Caller, relationships: list[rel.PcnRelationship], today: dt.date) -> rel.ReportViewer:
    """Commissioners see their scope; GP and PCN users see their own PCN."""
    tree = caller.tree
    kinds = {tree.get(g.organisation).kind for g in caller.actor.grants if g.organisation in tree}
    if kinds & COMMISSIONER_KINDS:
        return rel.ReportViewer(commissioner_scope=caller.actor.scope)
    orgs = {g.organisation for g in caller.actor.grants if g.organisation in tree}
    pcns = {o for o in orgs if tree.get(o).kind is OrganisationKind.PCN}
    practices = {o for o in orgs if tree.get(o).kind is OrganisationKind.PRACTICE}
    return rel.ReportViewer(own_pcns=frozenset(pcns | rel.pcns_of(relationships, practices, today)))


async def relationship_report(
    ctx: Context, caller: Caller, *, start: dt.date, end: dt.date, pcn: str | None, practice: str | None
) -> list[ReportLine]:
    """The Network organisation relationship report for this caller."""
    relationships = await all_relationships(ctx)
    today = ctx.now.date()
    lines = rel.relationship_report(
        relationships,
        start=start,
        end=end,
        today=today,
        viewer=viewer_of(caller, relationships, min(end, today)),
        pcn=pcn,
        practice=practice,
    )
    tree = caller.tree

    def name(code: str) -> str:
        """The organisation's name (its code when unknown)."""
        found = tree.find(code)
        return found.name if found else code

    return [
        ReportLine(
            pcn_ods_code=line.pcn,
            pcn_name=name(line.pcn),
            practice_ods_code=line.practice,
            practice_name=name(line.practice),
            start_date=line.start,
            end_date=line.end,
            current=line.current,
        )
        for line in lines
    ]
