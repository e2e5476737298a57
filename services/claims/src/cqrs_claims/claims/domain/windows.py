"""Claim windows: whether +New Claim is offered now, and if not, which of the guide's three
reasons applies. Dates are Europe/London calendar dates, whatever the server's time zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from cqrs_claims.catalogue.domain import Window

LONDON = ZoneInfo("Europe/London")


def london_today(now: dt.datetime) -> dt.date:
    """The calendar date in England at this instant (23:30 UTC on 30 June in BST is 1 July)."""
    if now.tzinfo is None:
        msg = "a naive datetime has no place in time; pass an aware one"
        raise ValueError(msg)
    return now.astimezone(LONDON).date()


class NoNewClaim(StrEnum):
    """Why there is no +New Claim button, in the guide's words."""

    NOT_OPEN_YET = "window_not_open_yet"
    ALL_CLAIMED = "all_claimed"
    WINDOW_MISSED = "window_missed"


MESSAGES: dict[NoNewClaim, str] = {
    NoNewClaim.NOT_OPEN_YET: "The claim window has not yet opened.",
    NoNewClaim.ALL_CLAIMED: "You have submitted all your services claims and have no more claims to process.",
    NoNewClaim.WINDOW_MISSED: (
        "You have missed your claims window. If this is the case, please contact your Primary Care Team."
    ),
}

#: When services disagree, the reason that most needs the provider's action is the one given.
_PRIORITY = (NoNewClaim.WINDOW_MISSED, NoNewClaim.NOT_OPEN_YET, NoNewClaim.ALL_CLAIMED)


@dataclass(frozen=True)
class WindowState:
    """One service's claim window situation today for one provider."""

    claimable: bool
    window: Window | None = None
    reason: NoNewClaim | None = None
    next_opens_on: dt.date | None = None
    add_individually: bool = False


def service_window_state(windows: Sequence[Window], claimed: Collection[str], today: dt.date) -> WindowState:
    """Whether a service may be claimed today, given the ids of windows already claimed.

    No windows at all: always claimable, component by component (Add+). A window open today:
    claimable unless already claimed. Otherwise an earlier window left unclaimed was missed; a
    later window has not opened yet; and with neither, everything was claimed.
    """
    if not windows:
        return WindowState(claimable=True, add_individually=True)
    open_now = [w for w in windows if w.opens_on <= today <= w.closes_on]
    for window in open_now:
        if window.window_id not in claimed:
            return WindowState(claimable=True, window=window)
    upcoming = sorted(w.opens_on for w in windows if w.opens_on > today)
    missed = [w for w in windows if w.closes_on < today and w.window_id not in claimed]
    if missed and not open_now:
        return WindowState(claimable=False, reason=NoNewClaim.WINDOW_MISSED)
    if upcoming:
        return WindowState(claimable=False, reason=NoNewClaim.NOT_OPEN_YET, next_opens_on=upcoming[0])
    return WindowState(claimable=False, reason=NoNewClaim.ALL_CLAIMED)


@dataclass(frozen=True)
class NewClaimAvailability:
    """Whether +New Claim is shown; if not, the reason and the guide's message."""

    available: bool
    reason: NoNewClaim | None = None
    message: str | None = None
    next_opens_on: dt.date | None = None


def new_claim_availability(states: Iterable[WindowState]) -> NewClaimAvailability:
    """+New Claim is shown while any service is claimable; otherwise the most pressing reason."""
    states = list(states)
    if any(s.claimable for s in states):
        return NewClaimAvailability(available=True)
    reasons = {s.reason for s in states if s.reason is not None}
    reason = next((r for r in _PRIORITY if r in reasons), NoNewClaim.ALL_CLAIMED)
    upcoming = sorted(s.next_opens_on for s in states if s.next_opens_on is not None)
    return NewClaimAvailability(
        available=False,
        reason=reason,
        message=MESSAGES[reason],
        next_opens_on=upcoming[0] if upcoming and reason is NoNewClaim.NOT_OPEN_YET else None,
    )
