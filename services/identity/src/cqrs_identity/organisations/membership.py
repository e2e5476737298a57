"""PCN membership through the API: an ICB Organisation Administrator starts or ends a practice's
relationship with a PCN on a date. The rules of the dates live in ``relationships.py``; this
module decides who may record them and saves the events [AD] recalculates achievement on."""

from __future__ import annotations

import datetime as dt

from cqrs_identity.access import Caller
from cqrs_identity.context import Context
from cqrs_identity.errors import NotAllowed, RuleBroken, Unknown
from cqrs_identity.organisations import relationships as rel
from cqrs_identity.organisations.service import RelationshipRow, record_relationship
from cqrs_identity.organisations.tree import COMMISSIONER_KINDS, OrganisationKind
from cqrs_identity.users.roles import Role

ROLE = Role.ORGANISATION_ADMINISTRATOR


def require_icb_administrator(caller: Caller, *organisations: str) -> None:
    """Refuse unless ONE grant of Organisation Administrator, held at an ICB (or a region or NHS
    England above it), covers every organisation named: grants never combine."""
    for grant in caller.actor.grants:
        held_at = caller.tree.find(grant.organisation)
        if grant.role != ROLE.value or held_at is None or held_at.kind not in COMMISSIONER_KINDS:
            continue
        if all(caller.actor.view.grant_allows(grant, {ROLE.value}, o) for o in organisations):
            return
    names = " and ".join(organisations)
    raise NotAllowed(
        f"to change PCN membership of {names} you must be an Organisation Administrator at the ICB "
        "responsible for them (or above it)",
        field="practice",
    )


def _kind(caller: Caller, code: str, kind: OrganisationKind, field: str) -> None:
    found = caller.tree.find(code)
    if found is None:
        raise Unknown(f"there is no organisation {code}", field=field)
    if found.kind is not kind:
        raise RuleBroken(f"{code} is a {found.kind.value}, not a {kind.value}", field=field)


async def start(
    ctx: Context, caller: Caller, *, practice: str, pcn: str, start: dt.date, end: dt.date | None
) -> rel.PcnRelationship:
    """Record a practice joining a PCN from ``start`` (to ``end``, inclusive, when given).
    Recording the same relationship twice changes nothing."""
    _kind(caller, practice, OrganisationKind.PRACTICE, "practice")
    _kind(caller, pcn, OrganisationKind.PCN, "pcn")
    require_icb_administrator(caller, practice, pcn)
    await record_relationship(ctx, RelationshipRow(practice=practice, pcn=pcn, start=start, end=end))
    return await _one(ctx, practice, rel.relationship_id(practice, pcn, start))


async def end(
    ctx: Context, caller: Caller, *, practice: str, relationship_id: str, end: dt.date
) -> rel.PcnRelationship:
    """Record a practice leaving a PCN: the relationship's last day is ``end``."""
    _kind(caller, practice, OrganisationKind.PRACTICE, "practice")
    current = await _one(ctx, practice, relationship_id)
    require_icb_administrator(caller, practice, current.pcn)
    state = await ctx.stores.practice_pcns.get(practice)
    assert state is not None
    events = rel.end_relationship(state, relationship_id, end, ctx.now)
    for event in events:
        state = rel.apply(state, event)
    if events:
        await ctx.stores.practice_pcns.save(
            state, events, correlation_id=ctx.correlation_id, actor=ctx.actor_id
        )
    return await _one(ctx, practice, relationship_id)


async def of_practice(ctx: Context, caller: Caller, practice: str) -> list[rel.PcnRelationship]:
    """Every PCN relationship of a practice, oldest first (for anyone whose scope covers it)."""
    _kind(caller, practice, OrganisationKind.PRACTICE, "practice")
    if practice not in caller.actor.scope:
        raise NotAllowed(f"{practice} is outside the organisations you may act on", field="practice")
    state = await ctx.stores.practice_pcns.get(practice)
    return list(state.relationships) if state else []


async def _one(ctx: Context, practice: str, relationship_id: str) -> rel.PcnRelationship:
    state = await ctx.stores.practice_pcns.get(practice)
    found = next(
        (r for r in (state.relationships if state else []) if r.relationship_id == relationship_id), None
    )
    if found is None:
        raise Unknown(f"{practice} has no PCN relationship {relationship_id}", field="relationship_id")
    return found
