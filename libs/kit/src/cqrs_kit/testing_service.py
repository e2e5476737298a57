"""A minimal service over the kit that tests run as real OS processes (``ServiceProcess``) to prove
what holds across replicas: saves racing on the same aggregates, relays publishing, consumers
racing on one shared aggregate.

- ``POST /api/tally/tallies/{id}/increments`` loads a tally, adds one and saves it with one event
  (an OfferMade keyed by the tally, ``payment_type`` = the new count): 201, or 409 on a conflict.
- ``GET /api/tally/tallies/{id}`` and ``GET /api/tally/ledger`` read them back (all need a token).
- Its consumer counts every tally event of its own run (``quality_service_id`` = its database
  name) into ONE ledger aggregate, saved with ``cause`` = the event id, so replicas consuming
  different partitions conflict on it and retry, and a redelivered event is applied once.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events import OfferMade
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.app import ServiceSpec, create_service_app
from cqrs_kit.auth import CurrentUser
from cqrs_kit.errors import NotFound
from cqrs_kit.runtime import Runtime, RuntimeDep
from cqrs_kit.settings import ServiceSettings
from cqrs_kit.testing import offer_made

TALLIES, LEDGERS, LEDGER = "tallies", "ledgers", "ledger"


class Tally(BaseModel):
    """A counter that every increment saves with one event."""

    tally_id: str
    count: int = 0
    version: int = 0


class Ledger(BaseModel):
    """How many tally events this service's consumers applied."""

    ledger_id: str
    applied: int = 0
    version: int = 0


def marker(runtime: Runtime) -> str:
    """Which events belong to this run (each run has its own database)."""
    return runtime.settings.database_name.replace("_", "-")[:60]


router = APIRouter()


@router.post("/tallies/{tally_id}/increments", status_code=201)
async def increment(tally_id: str, request: Request, runtime: RuntimeDep, user: CurrentUser) -> Tally:
    """Load, add one, save with one event (409 when another replica saved first)."""
    tallies = Aggregates(runtime, TALLIES, Tally, "tally_id")
    tally = await tallies.get(tally_id) or Tally(tally_id=tally_id)
    event = offer_made(
        offer_id=tally_id, quality_service_id=marker(runtime), payment_type=str(tally.count + 1)
    )
    return await tallies.save(
        tally.model_copy(update={"count": tally.count + 1}),
        [event],
        correlation_id=request.state.correlation_id,
        actor=user.user_id,
    )


@router.get("/tallies/{tally_id}")
async def get_tally(tally_id: str, runtime: RuntimeDep, user: CurrentUser) -> Tally:
    """One tally."""
    tally = await Aggregates(runtime, TALLIES, Tally, "tally_id").get(tally_id)
    if tally is None:
        raise NotFound(f"no tally {tally_id}")
    return tally


@router.get("/ledger")
async def get_ledger(runtime: RuntimeDep, user: CurrentUser) -> Ledger:
    """The ledger the consumers keep."""
    return await Aggregates(runtime, LEDGERS, Ledger, "ledger_id").get(LEDGER) or Ledger(ledger_id=LEDGER)


def subscribe(runtime: Runtime) -> None:
    """Count this run's tally events into the one ledger, once each."""
    ledgers = Aggregates(runtime, LEDGERS, Ledger, "ledger_id")

    @runtime.consumer.on(OfferMade)
    async def counted(event: OfferMade, envelope: Envelope) -> None:
        if event.quality_service_id != marker(runtime):
            return
        ledger = await ledgers.get(LEDGER) or Ledger(ledger_id=LEDGER)
        if ledger.version and await ledgers.applied(LEDGER, envelope.id):
            return
        await ledgers.save(
            ledger.model_copy(update={"applied": ledger.applied + 1}),
            [],
            correlation_id=envelope.correlation_id,
            actor=None,
            cause=envelope.id,
        )


SPEC = ServiceSpec(
    name="tally",
    description="A test service: tallies saved by racing replicas, and a ledger their consumers keep.",
    routers=[router],
    outbox_collections=[TALLIES, LEDGERS],
    subscribe=subscribe,
    extra_topics=[OfferMade.topic],
)


def create_app(settings: ServiceSettings | None = None) -> Any:
    """The tally ASGI app (uvicorn --factory)."""
    return create_service_app(SPEC, settings or ServiceSettings(service_name=SPEC.name))
