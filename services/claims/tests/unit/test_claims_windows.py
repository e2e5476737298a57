"""+New Claim appears while a window is open with something left; otherwise one of three reasons."""

from __future__ import annotations

import datetime as dt

import pytest

from cqrs_claims.catalogue.domain import Window
from cqrs_claims.claims.domain.windows import (
    MESSAGES,
    NoNewClaim,
    WindowState,
    london_today,
    new_claim_availability,
    service_window_state,
)

TODAY = dt.date(2025, 7, 10)


def window(window_id: str, opens: str, closes: str) -> Window:
    return Window(
        window_id=window_id,
        window_name=window_id,
        opens_on=dt.date.fromisoformat(opens),
        closes_on=dt.date.fromisoformat(closes),
    )


Q1 = window("q1", "2025-07-01", "2025-07-31")
Q2 = window("q2", "2025-10-01", "2025-10-31")
EARLIER = window("q0", "2025-04-01", "2025-04-30")


def test_an_open_window_with_nothing_claimed_is_claimable() -> None:
    state = service_window_state([EARLIER, Q1, Q2], {"q0"}, TODAY)
    assert (state.claimable, state.window, state.reason) == (True, Q1, None)


@pytest.mark.parametrize("day", [Q1.opens_on, Q1.closes_on])
def test_windows_include_their_first_and_last_day(day: dt.date) -> None:
    assert service_window_state([Q1], set(), day).claimable


def test_window_not_open_yet() -> None:
    state = service_window_state([Q2], set(), TODAY)
    assert (state.claimable, state.reason, state.next_opens_on) == (
        False,
        NoNewClaim.NOT_OPEN_YET,
        Q2.opens_on,
    )


def test_everything_already_claimed() -> None:
    state = service_window_state([EARLIER, Q1], {"q0", "q1"}, TODAY)
    assert (state.claimable, state.reason) == (False, NoNewClaim.ALL_CLAIMED)


def test_window_missed_while_the_next_one_is_not_open() -> None:
    state = service_window_state([EARLIER, Q2], set(), TODAY)
    assert (state.claimable, state.reason) == (False, NoNewClaim.WINDOW_MISSED)


def test_claimed_now_but_a_later_window_waits() -> None:
    assert service_window_state([Q1, Q2], {"q1"}, TODAY).reason is NoNewClaim.NOT_OPEN_YET


def test_a_service_without_windows_is_added_component_by_component() -> None:
    state = service_window_state([], set(), TODAY)
    assert (state.claimable, state.add_individually) == (True, True)


@pytest.mark.parametrize(
    ("reasons", "expected"),
    [
        ([NoNewClaim.ALL_CLAIMED, NoNewClaim.NOT_OPEN_YET], NoNewClaim.NOT_OPEN_YET),
        ([NoNewClaim.NOT_OPEN_YET, NoNewClaim.WINDOW_MISSED], NoNewClaim.WINDOW_MISSED),
        ([NoNewClaim.ALL_CLAIMED], NoNewClaim.ALL_CLAIMED),
    ],
)
def test_the_most_pressing_reason_is_given(reasons: list[NoNewClaim], expected: NoNewClaim) -> None:
    answer = new_claim_availability(WindowState(claimable=False, reason=r) for r in reasons)
    assert (answer.available, answer.reason, answer.message) == (False, expected, MESSAGES[expected])


def test_the_guides_three_messages() -> None:
    assert MESSAGES[NoNewClaim.NOT_OPEN_YET] == "The claim window has not yet opened."
    assert "submitted all your services claims" in MESSAGES[NoNewClaim.ALL_CLAIMED]
    assert "contact your Primary Care Team" in MESSAGES[NoNewClaim.WINDOW_MISSED]


def test_one_claimable_service_is_enough_for_new_claim() -> None:
    states = [WindowState(claimable=False, reason=NoNewClaim.WINDOW_MISSED), WindowState(claimable=True)]
    assert new_claim_availability(states).available


def test_dates_are_london_dates() -> None:
    late_in_summer = dt.datetime(2025, 6, 30, 23, 30, tzinfo=dt.UTC)  # 00:30 on 1 July in BST
    late_in_winter = dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)  # GMT: still 31 December
    assert london_today(late_in_summer) == dt.date(2025, 7, 1)
    assert london_today(late_in_winter) == dt.date(2025, 12, 31)
    opens_1_july = window("q1", "2025-07-01", "2025-07-31")
    assert service_window_state([opens_1_july], set(), london_today(late_in_summer)).claimable
    with pytest.raises(ValueError, match="naive"):
        london_today(dt.datetime(2025, 7, 1, 12, 0))
