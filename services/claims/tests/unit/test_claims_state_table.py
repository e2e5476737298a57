"""The claim state table, every status against every action, through the real decisions."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cqrs_claims.attachments.domain import AttachmentStatus
from cqrs_claims.claims.domain import building, submission
from cqrs_claims.claims.domain.claim import ALLOWED, Action, Claim, ClaimStatus, NotAllowedNow, fold, require
from cqrs_claims.claims.domain.submission import Submit, SubmitLine

from .claim_helpers import NOW, TODAY, USER, by_version, guide_services, pane, with_everything
from .test_claims_submission import YES, attachment

S = ClaimStatus
BUILDING = {"select", "add", "remove", "enter", "attach", "detach", "send", "submit"}
#: What the guide and the issue say, written out independently of the code's table.
EXPECTED: dict[ClaimStatus, set[str]] = {
    S.DRAFT: BUILDING | {"delete"},
    S.RETURNED: BUILDING,
    S.AWAITING_PROVIDER_APPROVAL: {"submit"},
    S.PENDING_SYSTEM_REVIEW: {"review"},
    S.PENDING_TIER_1_REVIEW: set(),
    S.PENDING_TIER_2_REVIEW: set(),
    S.PENDING_FINANCE_APPROVAL: set(),
    S.REJECTED: set(),
    S.APPROVED: set(),
    S.SENT_FOR_PAYMENT: set(),
    S.PAID: set(),
    S.DELETED: set(),
}
SERVICES = guide_services()
FILES = [attachment(AttachmentStatus.CLEAN)]
COMPLETE = Submit(
    lines=[
        SubmitLine(component_id="complex-care-plan", units=12),
        SubmitLine(component_id="depot-injection", units=2, answers=YES),
    ]
)


def _submit(claim: Claim, approval: bool) -> object:
    return submission.submit(
        claim,
        COMPLETE,
        by_version(SERVICES),
        FILES,
        TODAY,
        needs_provider_approval=approval,
        actor=USER,
        now=NOW,
    )


ACTIONS: dict[str, Callable[[Claim], object]] = {
    "select": lambda c: building.select_services(c, pane(c, SERVICES), None, USER, NOW),
    "add": lambda c: building.add_components(c, pane(c, SERVICES), ("qs-ear", "ear-irrigation"), USER, NOW),
    "remove": lambda c: building.remove_components(c, None, USER, NOW),
    "enter": lambda c: building.enter_details(
        c, [building.LineEntry(component_id="complex-care-plan", units=1)], by_version(SERVICES), USER, NOW
    ),
    "attach": lambda c: require(c.status, Action.ADD_ATTACHMENT),
    "detach": lambda c: require(c.status, Action.DELETE_ATTACHMENT),
    "delete": lambda c: building.delete(c, USER, NOW),
    "send": lambda c: _submit(c, True),
    "submit": lambda c: _submit(c, False),
    "review": lambda c: require(c.status, Action.FINISH_SYSTEM_REVIEW),
}


def _claim_in(status: ClaimStatus) -> Claim:
    claim = with_everything(SERVICES)
    claim = claim.model_copy(update={"lines": [x for x in claim.lines if x.component_id != "ear-irrigation"]})
    entries = [
        building.LineEntry(component_id=x.component_id, units=int(x.units or 0), answers=x.answers)
        for x in COMPLETE.lines
    ]
    claim = fold(claim, building.enter_details(claim, entries, by_version(SERVICES), USER, NOW))
    return claim.model_copy(update={"status": status})


def test_the_table_covers_every_status_and_action() -> None:
    assert set(ALLOWED) == set(ClaimStatus) == set(EXPECTED)
    assert len(ACTIONS) == len(Action)


@pytest.mark.parametrize("status", list(ClaimStatus))
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_each_action_is_allowed_exactly_where_the_table_says(status: ClaimStatus, action: str) -> None:
    claim = _claim_in(status)
    if action in EXPECTED[status]:
        ACTIONS[action](claim)
    else:
        with pytest.raises(NotAllowedNow, match=status.value):
            ACTIONS[action](claim)
