"""What every use case needs: the runtime, the stores, the clock, and who to record as acting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cqrs_identity.store import Stores
from cqrs_kit.runtime import Runtime

SYSTEM = "system"
"""The actor recorded for changes nobody made by hand (imports, demo data, completions)."""


@dataclass
class Context:
    """One use case's runtime, stores and correlation, with the time it happens."""

    runtime: Runtime
    actor_id: str = SYSTEM
    correlation_id: str | None = None
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def stores(self) -> Stores:
        """The aggregate stores."""
        return Stores(self.runtime)
