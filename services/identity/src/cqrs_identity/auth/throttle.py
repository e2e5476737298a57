"""Throttling: failed logins per account, per client address and per both; registrations and
reset requests per client address. Pure: the store keeps the attempt times.

| what is counted | key | limit | then refused for |
|---|---|---|---|
| failed logins of one account from one address | pair | 5 in 15 min | 15 min |
| failed logins from one address, any accounts (password spraying) | address | 20 in 15 min | 15 min |
| failed logins of one account, any addresses (distributed guessing) | account | 50 in 15 min | 15 min |
| registrations from one address | address | 10 in 1 h | 1 h |
| password-reset requests from one address | address | 10 in 1 h | 1 h |
| reset mails to one account (silently: the answer never changes) | account | 3 in 1 h | 1 h |

So a stranger who fails five times against an administrator's address locks only themself out;
locking the account for everyone needs fifty failures from at least three addresses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` within ``window``; reaching it refuses for ``lockout`` after the last."""

    attempts: int
    window: dt.timedelta
    lockout: dt.timedelta


MINUTES_15 = dt.timedelta(minutes=15)
HOUR = dt.timedelta(hours=1)
LOGIN_PAIR = Limit(5, MINUTES_15, MINUTES_15)
LOGIN_ADDRESS = Limit(20, MINUTES_15, MINUTES_15)
LOGIN_ACCOUNT = Limit(50, MINUTES_15, MINUTES_15)
REGISTRATION_ADDRESS = Limit(10, HOUR, HOUR)
RESET_ADDRESS = Limit(10, HOUR, HOUR)
RESET_ACCOUNT = Limit(3, HOUR, HOUR)

MAX_FAILURES = LOGIN_PAIR.attempts
LOCKOUT = LOGIN_PAIR.lockout
WINDOW = LOGIN_PAIR.window


def recent(failures: Sequence[dt.datetime], now: dt.datetime, limit: Limit = LOGIN_PAIR) -> list[dt.datetime]:
    """The attempts that still count, oldest first."""
    return sorted(f for f in failures if now - f < limit.window + limit.lockout)


def locked_until(
    failures: Sequence[dt.datetime], now: dt.datetime, limit: Limit = LOGIN_PAIR
) -> dt.datetime | None:
    """Until when further attempts are refused, or None when they may be tried: refused when
    ``limit.attempts`` attempts fell within ``limit.window`` of each other, for ``limit.lockout``
    after the last of them."""
    counted = recent(failures, now, limit)
    for i in range(len(counted) - limit.attempts, -1, -1):
        burst = counted[i : i + limit.attempts]
        if burst[-1] - burst[0] <= limit.window:
            until = burst[-1] + limit.lockout
            return until if until > now else None
    return None


def first_lock(checks: Sequence[tuple[Sequence[dt.datetime], Limit]], now: dt.datetime) -> dt.datetime | None:
    """The latest end of every lock that holds now, or None when none does."""
    ends = [end for times, limit in checks if (end := locked_until(times, now, limit)) is not None]
    return max(ends) if ends else None
