"""What every participation use case is given: the runtime, the caller and the correlation id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from cqrs_contracts.events import Event
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.auth import Principal
from cqrs_kit.errors import DomainError, Forbidden, NotFound, VersionConflict
from cqrs_kit.runtime import Runtime
from cqrs_participation.domain.errors import AlreadyOffered, NotAllowedInStatus, RuleBroken
from cqrs_participation.store import Stores, stores

M = TypeVar("M", bound=BaseModel)


class StatusConflict(DomainError):
    """The command is not allowed in the current status (the detail says what is)."""

    status = 409
    title = "Not allowed in this status"


@dataclass
class Context:
    """One request's use-case context."""

    runtime: Runtime
    user: Principal
    correlation_id: str | None

    @property
    def actor(self) -> str:
        """The acting user's id."""
        return self.user.user_id

    @property
    def stores(self) -> Stores:
        """Participation's stores."""
        return stores(self.runtime)

    async def save(self, aggregates: Aggregates[M], state: M, events: Sequence[Event] = ()) -> M:
        """Save an aggregate with its events (the relay publishes them)."""
        return await aggregates.save(
            state, list(events), correlation_id=self.correlation_id, actor=self.actor
        )


def refused(error: RuleBroken) -> DomainError:
    """The problem a broken rule becomes: 409 for a status or live-offer refusal, else 422."""
    if isinstance(error, NotAllowedInStatus | AlreadyOffered):
        return StatusConflict(error.message, field=error.field)
    return DomainError(error.message, field=error.field)


async def found(aggregates: Aggregates[M], aggregate_id: str, what: str) -> M:
    """Load an aggregate or answer 404 naming it."""
    state = await aggregates.get(aggregate_id)
    if state is None:
        raise NotFound(f"no {what} {aggregate_id}")
    return state


__all__ = ["Context", "Forbidden", "StatusConflict", "VersionConflict", "found", "refused"]
