"""Repeated failed logins lock an address for a while; spread-out failures do not."""

from __future__ import annotations

import datetime as dt

from cqrs_identity.auth.throttle import LOCKOUT, MAX_FAILURES, locked_until

NOW = dt.datetime(2025, 5, 1, 9, 30, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def test_a_few_failures_do_not_lock() -> None:
    assert locked_until([NOW - MINUTE * i for i in range(MAX_FAILURES - 1)], NOW) is None


def test_a_burst_of_failures_locks_until_lockout_after_the_last() -> None:
    failures = [NOW - MINUTE * i for i in range(MAX_FAILURES)]
    assert locked_until(failures, NOW) == NOW + LOCKOUT


def test_the_lock_ends() -> None:
    failures = [NOW - MINUTE * i for i in range(MAX_FAILURES)]
    assert locked_until(failures, NOW + LOCKOUT + MINUTE) is None


def test_failures_spread_over_hours_do_not_lock() -> None:
    failures = [NOW - dt.timedelta(minutes=20) * i for i in range(MAX_FAILURES * 2)]
    assert locked_until(failures, NOW) is None
