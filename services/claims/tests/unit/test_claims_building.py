"""Building a claim as the guide shows: +New Claim, Add All twice, Add+, Remove All, details, Delete."""

from __future__ import annotations

import pytest

from cqrs_claims.claims.domain import building
from cqrs_claims.claims.domain.claim import ClaimRuleBroken, ClaimStatus, fold
from cqrs_claims.claims.domain.windows import NoNewClaim
from cqrs_claims.testing import approved, complex_care, depot, quarter
from cqrs_contracts.events import Answer, ClaimComponentsAdded

from .claim_helpers import NOW, TODAY, USER, by_version, guide_services, new_claim, pane, with_everything


def test_new_claim_is_a_draft_with_its_claim_id() -> None:
    claim = new_claim(guide_services(), commissioner_organisation_id="QWE")
    assert (claim.claim_id, claim.status, claim.claim_mode) == ("35929", ClaimStatus.DRAFT, "multi")
    assert (claim.commissioner_organisation_id, claim.financial_year) == ("QWE", "2025/26")


def test_services_pane_lists_name_and_component_count() -> None:
    services = guide_services()
    claim = new_claim(services, commissioner_organisation_id="QWE")
    shown = [
        (p.claimable.service.service_name, len(p.claimable.service.components)) for p in pane(claim, services)
    ]
    assert shown == [("Complex Care", 2), ("Depot Antipsychotic Injections", 1), ("Ear Irrigation", 1)]


def test_add_all_twice_puts_every_component_in_the_claim_with_its_price() -> None:
    claim = with_everything(guide_services())
    assert [line.component_id for line in claim.lines] == [
        "complex-care-plan",
        "care-retainer",
        "depot-injection",
        "ear-irrigation",
    ]
    plan, retainer = claim.lines[0], claim.lines[1]
    assert (plan.unit_price_pence, plan.window_id) == (19342, "q1")
    assert (retainer.kind, retainer.amount_pence, retainer.value_pence) == ("retainer", 50000, 50000)
    assert sorted(claim.taken) == ["qs-complex-care:q1", "qs-depot:q1", "qs-ear:q1"]


def test_twelve_plans_and_the_retainer_add_up_exactly() -> None:
    services = guide_services()
    claim = with_everything(services)
    entry = building.LineEntry(component_id="complex-care-plan", units=12)
    claim = fold(claim, building.enter_details(claim, [entry], by_version(services), USER, NOW))
    assert claim.line("complex-care-plan").value_pence == 232104  # type: ignore[union-attr]
    assert claim.total_pence == 232104 + 50000


def test_remove_all_empties_the_claim_and_frees_the_windows() -> None:
    claim = with_everything(guide_services())
    claim = fold(claim, building.remove_components(claim, None, USER, NOW))
    assert (claim.lines, claim.taken) == ([], [])


def test_remove_one_component() -> None:
    claim = with_everything(guide_services())
    claim = fold(claim, building.remove_components(claim, "ear-irrigation", USER, NOW))
    assert "ear-irrigation" not in [line.component_id for line in claim.lines]


def test_services_without_windows_are_added_one_component_at_a_time() -> None:
    services = [approved(complex_care([]))]
    claim = new_claim(services, commissioner_organisation_id="QWE")
    shown = pane(claim, services)
    assert shown[0].state.add_individually
    claim = fold(claim, building.select_services(claim, shown, None, USER, NOW))
    with pytest.raises(ClaimRuleBroken, match="Add\\+"):
        building.add_components(claim, shown, None, USER, NOW)
    (added,) = building.add_components(claim, shown, ("qs-complex-care", "complex-care-plan"), USER, NOW)
    assert isinstance(added, ClaimComponentsAdded)
    assert added.components[0].window_id is None
    claim = fold(claim, [added])
    with pytest.raises(ClaimRuleBroken, match="already in the claim"):
        building.add_components(claim, shown, ("qs-complex-care", "complex-care-plan"), USER, NOW)


def test_single_service_claims_hold_one_service() -> None:
    single = approved(complex_care([quarter(TODAY)], mode="single"))
    services = [single, *guide_services()[1:]]
    claim = new_claim(services, quality_service_id="qs-complex-care")
    assert (claim.claim_mode, claim.quality_service_id) == ("single", "qs-complex-care")
    assert [p.quality_service_id for p in pane(claim, services)] == ["qs-complex-care"]
    multi = new_claim(services, commissioner_organisation_id="QWE")
    assert "qs-complex-care" not in [p.quality_service_id for p in pane(multi, services)]


def test_a_multi_service_service_cannot_start_a_single_claim() -> None:
    with pytest.raises(ClaimRuleBroken, match="multi-service") as refused:
        new_claim(guide_services(), quality_service_id="qs-ear")
    assert refused.value.field == "quality_service_id"


def test_no_new_claim_says_why() -> None:
    services = [approved(depot([quarter(TODAY, starts=20)]))]
    with pytest.raises(building.NoNewClaimNow) as refused:
        new_claim(services, commissioner_organisation_id="QWE")
    assert refused.value.reason == NoNewClaim.NOT_OPEN_YET.value
    assert str(refused.value) == "The claim window has not yet opened."


def test_a_window_taken_by_another_claim_is_not_offered_again() -> None:
    services = [approved(depot([quarter(TODAY)]))]
    with pytest.raises(building.NoNewClaimNow) as refused:
        building.draft(
            "2",
            building.NewClaim(provider_organisation_id="A81001", commissioner_organisation_id="QWE"),
            services,
            {"qs-depot:q1"},
            TODAY,
            actor=USER,
            now=NOW,
        )
    assert refused.value.reason == NoNewClaim.ALL_CLAIMED.value


def test_answers_must_fit_their_questions() -> None:
    services = guide_services()
    claim = with_everything(services)
    wrong = building.LineEntry(
        component_id="depot-injection", answers=[Answer(question_id="qualified-staff", text="y")]
    )
    with pytest.raises(ClaimRuleBroken, match="Yes/No") as refused:
        building.enter_details(claim, [wrong], by_version(services), USER, NOW)
    assert refused.value.field == "lines.0.answers"


def test_retainers_take_no_units() -> None:
    services = guide_services()
    claim = with_everything(services)
    with pytest.raises(ClaimRuleBroken, match="retainer"):
        building.enter_details(
            claim,
            [building.LineEntry(component_id="care-retainer", units=3)],
            by_version(services),
            USER,
            NOW,
        )


def test_delete_leaves_nothing_claimed() -> None:
    claim = with_everything(guide_services())
    claim = fold(claim, building.delete(claim, USER, NOW))
    assert (claim.status, claim.visible, claim.taken) == (ClaimStatus.DELETED, False, [])
