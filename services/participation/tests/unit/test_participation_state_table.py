"""The offer state table, every status against every command, checked against the guide."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from cqrs_contracts.events import (
    OfferAccepted,
    OfferCancelled,
    OfferReissued,
    OfferRejected,
    OfferWithdrawn,
)
from cqrs_participation.domain import decisions
from cqrs_participation.domain.dates import OfferDates
from cqrs_participation.domain.errors import NotAllowedInStatus
from cqrs_participation.domain.offers import (
    REFUSALS,
    TRANSITIONS,
    Offer,
    OfferCommand,
    OfferStatus,
)

from .factories import END, NOW, START, definition, offer

S, C = OfferStatus, OfferCommand
ACT = decisions.Act(actor="user-x", now=NOW)
DATES = OfferDates(service_start=START, service_end=END, response_date=dt.date(2025, 6, 30))

EXPECTED = {
    (S.OFFERED, C.ACCEPT): (S.APPROVED, OfferAccepted, None),
    (S.OFFERED, C.REJECT): (S.REJECTED, OfferRejected, None),
    (S.OFFERED, C.WITHDRAW): (S.CANCELLED, OfferWithdrawn, "withdrawn"),
    (S.APPROVED, C.CANCEL): (S.CANCELLED, OfferCancelled, "cancelled"),
    (S.REJECTED, C.CANCEL): (S.CANCELLED, OfferCancelled, "cancelled"),
    (S.REJECTED, C.REISSUE): (S.OFFERED, OfferReissued, None),
    (S.CANCELLED, C.REISSUE): (S.OFFERED, OfferReissued, None),
}
"""Written from the guide's job aids, independently of the module's table."""


def run(command: OfferCommand, state: Offer) -> decisions.Decision:
    """Apply one command through the domain's public functions."""
    if command is C.ACCEPT:
        return decisions.accept(state, ACT)
    if command is C.REJECT:
        return decisions.reject(state, ACT, "No capacity")
    if command is C.WITHDRAW:
        return decisions.withdraw(state, ACT)
    if command is C.CANCEL:
        return decisions.cancel(state, ACT)
    return decisions.reissue(state, ACT, DATES, definition(), 1)


ALL_PAIRS = list(itertools.product(OfferStatus, OfferCommand))


def test_every_pair_is_either_allowed_or_refused_with_a_message() -> None:
    assert set(TRANSITIONS) | set(REFUSALS) == set(ALL_PAIRS)
    assert not set(TRANSITIONS) & set(REFUSALS)


@pytest.mark.parametrize(("status", "command"), ALL_PAIRS, ids=str)
def test_status_by_command(status: OfferStatus, command: OfferCommand) -> None:
    before = offer(status, ended_by="withdrawn" if status is S.CANCELLED else None)
    if (status, command) in EXPECTED:
        after_status, event_type, ended_by = EXPECTED[(status, command)]
        after, events = run(command, before)
        assert after.status is after_status
        assert after.ended_by == ended_by
        assert [type(e) for e in events] == [event_type]
        assert events[0].aggregate_id() == before.offer_id
        assert events[0].provider_organisation_id == "E85001"
    else:
        with pytest.raises(NotAllowedInStatus) as refused:
            run(command, before)
        assert refused.value.message == REFUSALS[(status, command)]
        assert status.value in refused.value.message


def test_offered_cannot_be_cancelled_but_may_be_withdrawn() -> None:
    with pytest.raises(NotAllowedInStatus, match="Offered services cannot be cancelled but may be withdrawn"):
        decisions.cancel(offer(S.OFFERED), ACT)


def test_cancel_records_what_was_cancelled() -> None:
    _, (approved,) = decisions.cancel(offer(S.APPROVED), ACT)
    _, (rejected,) = decisions.cancel(offer(S.REJECTED), ACT)
    assert isinstance(approved, OfferCancelled)
    assert isinstance(rejected, OfferCancelled)
    assert (approved.previous_status, rejected.previous_status) == ("Approved", "Rejected")


def test_reject_keeps_the_reason_and_reissue_clears_it() -> None:
    rejected, (event,) = decisions.reject(offer(), ACT, "No capacity")
    assert isinstance(event, OfferRejected)
    assert (rejected.reason, event.reason) == ("No capacity", "No capacity")
    reissued, (again,) = decisions.reissue(rejected, ACT, DATES, definition(), 2)
    assert isinstance(again, OfferReissued)
    assert (reissued.reason, reissued.quality_service_version, again.previous_status) == (None, 2, "Rejected")
    assert reissued.response_date == dt.date(2025, 6, 30)


def test_live_statuses_are_offered_and_approved() -> None:
    assert [s for s in OfferStatus if offer(s).live] == [S.OFFERED, S.APPROVED]
