"""Fixtures of identity's tests: a small organisation tree used by the pure rule tests."""

from __future__ import annotations

import datetime as dt

import pytest

from cqrs_identity.organisations.tree import Organisation, OrganisationKind, OrganisationTree

K = OrganisationKind
NOW = dt.datetime(2025, 5, 1, 9, 30, tzinfo=dt.UTC)

SMALL_TREE = [
    ("X24", "NHS England", K.NHS_ENGLAND, None),
    ("Y56", "London", K.REGION, "X24"),
    ("QWE", "North ICB", K.ICB, "Y56"),
    ("QXX", "South ICB", K.ICB, "Y56"),
    ("U11111", "North PCN A", K.PCN, "QWE"),
    ("U22222", "North PCN B", K.PCN, "QWE"),
    ("U33333", "South PCN C", K.PCN, "QXX"),
    ("A81001", "Alpha Surgery", K.PRACTICE, "QWE"),
    ("A81002", "Beta Surgery", K.PRACTICE, "QWE"),
    ("A81003", "Gamma Surgery", K.PRACTICE, "QWE"),
    ("B82001", "Delta Surgery", K.PRACTICE, "QXX"),
]


def organisations() -> list[Organisation]:
    """The small tree's organisations."""
    return [Organisation(ods_code=c, name=n, kind=k, parent=p) for c, n, k, p in SMALL_TREE]


@pytest.fixture
def tree() -> OrganisationTree:
    """NHS England > London > two ICBs, each with PCNs and practices."""
    return OrganisationTree(organisations())


@pytest.fixture
def now() -> dt.datetime:
    """A fixed instant."""
    return NOW
