"""The five-step offer: steps in order, redone steps, providers the user may offer to, confirmation."""

from __future__ import annotations

import datetime as dt

import pytest

from cqrs_participation.domain import drafts
from cqrs_participation.domain.dates import OfferDates
from cqrs_participation.domain.errors import NotAllowedInStatus, RuleBroken
from cqrs_participation.domain.offers import OfferStatus

from .factories import END, NOW, START, TODAY, definition

SERVICE = definition()
DATES = OfferDates(service_start=START, service_end=END, response_date=dt.date(2025, 5, 31))
ALLOWED = {"E85001", "E85002", "U10001"}


def reviewed() -> drafts.OfferDraft:
    """A draft through step 4."""
    draft = drafts.start("d-1", "QRV", actor="user-c", now=NOW)
    draft = drafts.select_service(draft, "qs-1", 1, SERVICE)
    draft = drafts.set_details(draft, DATES, SERVICE, today=TODAY)
    draft = drafts.set_providers(draft, ["E85001", "U10001", "E85001"], ALLOWED)
    return drafts.submit(draft, SERVICE, today=TODAY)


def test_confirm_makes_one_offer_per_provider() -> None:
    draft, made = drafts.confirm(
        reviewed(), {"E85001": "o-1", "U10001": "o-2"}, SERVICE, {"E85001": "Abbey Road"}, actor="u", now=NOW
    )
    assert [(o.offer_id, o.provider_organisation_id, o.status) for o, _ in made] == [
        ("o-1", "E85001", OfferStatus.OFFERED),
        ("o-2", "U10001", OfferStatus.OFFERED),
    ]
    events = [e for _, e in made]
    assert {(e.offer_id, e.quality_service_version, e.response_date) for e in events} == {
        ("o-1", 1, dt.date(2025, 5, 31)),
        ("o-2", 1, dt.date(2025, 5, 31)),
    }
    assert made[0][0].provider_name == "Abbey Road"
    assert (draft.step, draft.offer_ids) == (drafts.Step.CONFIRMED, ["o-1", "o-2"])


def test_confirmed_draft_cannot_change_or_confirm_again() -> None:
    draft, _ = drafts.confirm(reviewed(), {"E85001": "a", "U10001": "b"}, SERVICE, {}, actor="u", now=NOW)
    with pytest.raises(NotAllowedInStatus, match="confirmed"):
        drafts.confirm(draft, {"E85001": "a", "U10001": "b"}, SERVICE, {}, actor="u", now=NOW)
    with pytest.raises(NotAllowedInStatus):
        drafts.set_providers(draft, ["E85001"], ALLOWED)


def test_steps_must_be_done_in_order() -> None:
    draft = drafts.start("d-1", "QRV", actor="u", now=NOW)
    with pytest.raises(RuleBroken, match="step 1") as refused:
        drafts.set_details(draft, DATES, SERVICE, today=TODAY)
    assert refused.value.field == "quality_service_id"
    draft = drafts.select_service(draft, "qs-1", 1, SERVICE)
    with pytest.raises(RuleBroken, match="step 2"):
        drafts.set_providers(draft, ["E85001"], ALLOWED)
    draft = drafts.set_details(draft, DATES, SERVICE, today=TODAY)
    with pytest.raises(RuleBroken, match="step 3"):
        drafts.submit(draft, SERVICE, today=TODAY)
    with pytest.raises(RuleBroken, match="step 4"):
        drafts.confirm(draft, {}, SERVICE, {}, actor="u", now=NOW)


def test_a_change_after_review_needs_a_new_review() -> None:
    draft = drafts.set_details(reviewed(), DATES, SERVICE, today=TODAY)
    assert draft.step is drafts.Step.PROVIDERS
    with pytest.raises(RuleBroken, match="step 4"):
        drafts.confirm(draft, {"E85001": "a", "U10001": "b"}, SERVICE, {}, actor="u", now=NOW)


def test_choosing_another_service_clears_the_dates() -> None:
    draft = drafts.select_service(reviewed(), "qs-2", 1, definition(service_name="Ear Irrigation"))
    assert (draft.dates, draft.step, draft.service_name) == (None, drafts.Step.SERVICE, "Ear Irrigation")


def test_reselecting_the_same_service_keeps_the_dates() -> None:
    draft = drafts.select_service(reviewed(), "qs-1", 1, SERVICE)
    assert draft.dates == DATES


def test_only_providers_the_user_may_offer_to() -> None:
    draft = drafts.set_details(
        drafts.select_service(drafts.start("d", "QRV", actor="u", now=NOW), "qs-1", 1, SERVICE),
        DATES,
        SERVICE,
        today=TODAY,
    )
    with pytest.raises(RuleBroken, match="F83001") as refused:
        drafts.set_providers(draft, ["E85001", "F83001"], ALLOWED)
    assert refused.value.field == "provider_organisation_ids.1"
    with pytest.raises(RuleBroken, match="at least one") as empty:
        drafts.set_providers(draft, [], ALLOWED)
    assert empty.value.field == "provider_organisation_ids"


def test_response_date_passed_since_step_two_is_refused_at_confirm() -> None:
    later = NOW.replace(month=6, day=1)
    with pytest.raises(RuleBroken) as refused:
        drafts.confirm(reviewed(), {"E85001": "a", "U10001": "b"}, SERVICE, {}, actor="u", now=later)
    assert refused.value.field == "response_date"
