"""may() is decided per grant: role at the organisation or above it, within that grant's clusters
and their descendants, limited payment types respected, and grants never combined."""

import datetime as dt

import pytest

from cqrs_kit.grants import OrganisationInfo, OrganisationSnapshot, PcnLink
from cqrs_kit.testing import STANDARD_TREE, grant

CM = "Commissioning Management"
VIEW = "View"


@pytest.fixture
def view() -> OrganisationSnapshot:
    orgs = [OrganisationInfo(code, f"{kind} {code}", kind, parent) for code, kind, parent in STANDARD_TREE]
    clusters = {"north": ["U11111"], "south": ["A81003"], "icb": ["QXX"]}
    links = [
        PcnLink("r1", "A81001", "U11111", dt.date(2020, 4, 1), dt.date(2024, 3, 31)),
        PcnLink("r2", "A81001", "U22222", dt.date(2024, 4, 1)),
        PcnLink("r3", "A81002", "U11111", dt.date(2020, 4, 1)),
    ]
    return OrganisationSnapshot(orgs, clusters, links)


def test_a_role_applies_at_its_organisation_and_below(view: OrganisationSnapshot) -> None:
    at_icb = [grant(CM, "QWE")]
    assert view.may(at_icb, CM, "QWE")
    assert view.may(at_icb, CM, "A81001")
    assert not view.may(at_icb, CM, "Y56"), "not above the organisation"
    assert not view.may(at_icb, CM, "B82001"), "not in another ICB"
    assert not view.may(at_icb, VIEW, "QWE"), "only the role held"


def test_a_national_role_reaches_every_organisation(view: OrganisationSnapshot) -> None:
    national = [grant("Advanced User Administrator", "X24")]
    assert all(view.may(national, "Advanced User Administrator", code) for code, _, _ in STANDARD_TREE)


def test_clusters_limit_to_members_their_descendants_and_the_own_organisation(
    view: OrganisationSnapshot,
) -> None:
    limited = [grant(CM, "Y56", cluster_ids=["icb"])]
    assert view.may(limited, CM, "QXX")
    assert view.may(limited, CM, "B82001"), "a descendant of a cluster member"
    assert view.may(limited, CM, "Y56"), "a cluster-limited user keeps their own organisation"
    assert not view.may(limited, CM, "QWE")
    assert not view.may(limited, CM, "A81001")
    assert view.organisations_where(limited, CM) == {"Y56", "QXX", "U33333", "B82001"}


def test_an_unknown_cluster_leaves_only_the_own_organisation(view: OrganisationSnapshot) -> None:
    limited = [grant(CM, "QWE", cluster_ids=["gone"])]
    assert view.organisations_where(limited, CM) == {"QWE"}


def test_a_role_from_one_membership_never_uses_another_memberships_scope(
    view: OrganisationSnapshot,
) -> None:
    # Commissioning Management at QWE limited to the "north" cluster; View at A81003 unrestricted.
    grants = [grant(CM, "QWE", cluster_ids=["north"]), grant(VIEW, "A81003")]
    assert view.may(grants, CM, "U11111")
    assert view.may(grants, VIEW, "A81003")
    assert not view.may(grants, CM, "A81003"), "A81003 is in scope only through the View membership"
    assert not view.may(grants, VIEW, "U11111"), "View is held at A81003 only"
    assert view.organisations_where(grants, CM) == {"QWE", "U11111"}


def test_payment_type_limits_apply_when_a_payment_type_is_asked_about(view: OrganisationSnapshot) -> None:
    qof_only = [grant(CM, "QWE", payment_types=["QOF"])]
    assert view.may(qof_only, CM, "A81001", payment_type="QOF")
    assert not view.may(qof_only, CM, "A81001", payment_type="Local")
    assert view.may(qof_only, CM, "A81001")
    both = [*qof_only, grant(CM, "QXX")]
    assert not view.may(both, CM, "A81001", payment_type="Local"), "the other grant is elsewhere"


def test_several_roles_any_of_which_will_do(view: OrganisationSnapshot) -> None:
    assert view.may([grant(VIEW, "QWE")], {CM, VIEW}, "A81002")


def test_refusals_say_why(view: OrganisationSnapshot) -> None:
    assert "you need one of these roles: View" in (view.refusal([grant(CM, "QWE")], VIEW, "QWE") or "")
    outside = view.refusal([grant(CM, "QWE")], CM, "B82001") or ""
    assert "B82001 is outside" in outside
    assert "QWE" in outside
    clusters = view.refusal([grant(CM, "QWE", cluster_ids=["north"])], CM, "A81002") or ""
    assert "Service Provider Clusters" in clusters
    assert view.refusal([grant(CM, "QWE")], CM, "A81002") is None


def test_pcn_relationships_are_dated(view: OrganisationSnapshot) -> None:
    assert view.practice_pcn("A81001", dt.date(2024, 3, 31)) == "U11111"
    assert view.practice_pcn("A81001", dt.date(2024, 4, 1)) == "U22222"
    assert view.pcn_practices("U11111", dt.date(2023, 1, 1)) == {"A81001", "A81002"}
    assert view.pcn_practices("U11111", dt.date(2025, 1, 1)) == {"A81002"}
    assert view.practice_pcn("B82001", dt.date(2025, 1, 1)) is None
