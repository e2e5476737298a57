"""Demo data for `make run`: the demo catalogue for the current financial year and offers in every
status. Loading twice changes nothing: ``python -m cqrs_participation.demo`` (CQRS_ environment)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import Callable

from cqrs_contracts.events import Event
from cqrs_kit.auth import Principal
from cqrs_kit.idempotency import derived_id
from cqrs_kit.runtime import Runtime
from cqrs_participation.context import Context
from cqrs_participation.demo_data import DEMO_OFFERS, LOCAL_ICBS, local, national
from cqrs_participation.domain import catalogue, decisions, drafts
from cqrs_participation.domain.dates import OfferDates
from cqrs_participation.domain.definition import ServiceDefinition, financial_year_bounds, financial_year_of
from cqrs_participation.domain.offers import Offer, live_key
from cqrs_participation.store import INDEXES, OUTBOX_COLLECTIONS, hold_live_many

DEMO_ACTOR = "demo"
Step = Callable[[Offer, decisions.Act], decisions.Decision]
_OUTCOMES: dict[str, list[Step]] = {
    "offered": [],
    "accepted": [decisions.accept],
    "rejected": [lambda o, act: decisions.reject(o, act, "No capacity this year")],
    "withdrawn": [lambda o, act: decisions.withdraw(o, act, "Offered in error")],
    "cancelled": [decisions.accept, lambda o, act: decisions.cancel(o, act, "Service ended")],
}


class NotDevelopment(RuntimeError):
    """Demo data belongs in development only."""


async def _publish(
    ctx: Context, quality_service_id: str, definition: ServiceDefinition, now: dt.datetime
) -> None:
    if await ctx.stores.services.get(quality_service_id) is not None:
        return
    draft = catalogue.define(quality_service_id, definition, actor=DEMO_ACTOR, now=now)
    state, events = catalogue.publish(draft, actor=DEMO_ACTOR, now=now)
    await ctx.save(ctx.stores.services, state, events)


async def _offer(
    ctx: Context, provider: str, quality_service_id: str, outcome: str, now: dt.datetime
) -> None:
    offer_id = derived_id(f"demo:{quality_service_id}", provider)
    if await ctx.stores.offers.get(offer_id) is not None:
        return
    service = await ctx.stores.services.get(quality_service_id)
    assert service is not None
    assert service.current is not None
    definition = service.current
    _, end = financial_year_bounds(definition.financial_year)
    dates = OfferDates(
        service_start=definition.start_date,
        service_end=end,
        response_date=min(now.date() + dt.timedelta(28), end),
    )
    draft = drafts.start(f"demo-{offer_id}", service.owner, actor=DEMO_ACTOR, now=now)
    draft = drafts.select_service(draft, quality_service_id, service.published_version, definition)
    draft = drafts.set_details(draft, dates, definition, today=now.date())
    draft = drafts.set_providers(draft, [provider], {provider})
    draft = drafts.submit(draft, definition, today=now.date())
    _, [(offer, made)] = drafts.confirm(
        draft, {provider: offer_id}, definition, {}, actor=DEMO_ACTOR, now=now
    )
    events: list[Event] = [made]
    for step in _OUTCOMES[outcome]:
        offer, more = step(offer, decisions.Act(actor=DEMO_ACTOR, now=now))
        events += more
    if offer.live:
        await hold_live_many(ctx.stores.live, {live_key(quality_service_id, provider): offer_id}, now)
    await ctx.save(ctx.stores.offers, offer, events)


async def load_demo(runtime: Runtime) -> None:
    """Publish the demo catalogue for the current financial year and make the demo offers."""
    if runtime.settings.environment != "development":
        msg = f"demo data is for development only, not {runtime.settings.environment!r}"
        raise NotDevelopment(msg)
    now = dt.datetime.now(dt.UTC)
    year = financial_year_of(now.date())
    ctx = Context(runtime, Principal(user_id=DEMO_ACTOR), "demo")
    for quality_service_id, definition in national(year).items():
        await _publish(ctx, quality_service_id, definition, now)
    for icb in LOCAL_ICBS:
        for quality_service_id, definition in local(icb, year).items():
            await _publish(ctx, quality_service_id, definition, now)
    for provider, suffix, outcome in DEMO_OFFERS:
        await _offer(ctx, provider, f"qs-qrv-{suffix}", outcome, now)


async def _main() -> int:
    from cqrs_kit.settings import ServiceSettings  # noqa: PLC0415 - reads the environment

    runtime = Runtime.build(
        ServiceSettings(service_name="participation"), outbox_collections=OUTBOX_COLLECTIONS
    )
    try:
        await runtime.mongo.ensure_indexes(INDEXES)
        await load_demo(runtime)
    except NotDevelopment as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        await runtime.mongo.close()
    print("participation demo catalogue loaded; the running participation service publishes its events")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main()))
