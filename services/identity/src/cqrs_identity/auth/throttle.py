"""Throttling repeated failed logins, so passwords cannot be guessed at speed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

MAX_FAILURES = 5
"""Failed logins allowed within WINDOW before further attempts are refused."""
WINDOW = dt.timedelta(minutes=15)
"""How far back failures count."""
LOCKOUT = dt.timedelta(minutes=15)
"""How long logins are refused after the last of MAX_FAILURES failures."""


def recent(failures: Sequence[dt.datetime], now: dt.datetime) -> list[dt.datetime]:
    """The failures that still count, oldest first."""
    return sorted(f for f in failures if now - f < WINDOW + LOCKOUT)


def locked_until(failures: Sequence[dt.datetime], now: dt.datetime) -> dt.datetime | None:
    """Until when logins for this address are refused, or None when they may be tried.

    Locked when MAX_FAILURES failures fell within WINDOW of each other; the lock lasts LOCKOUT
    after the last of them.
    """
    counted = recent(failures, now)
    for i in range(len(counted) - MAX_FAILURES, -1, -1):
        burst = counted[i : i + MAX_FAILURES]
        if burst[-1] - burst[0] <= WINDOW:
            until = burst[-1] + LOCKOUT
            return until if until > now else None
    return None
