"""The demo organisations, PCN relationships and users (fictional names, ODS-style codes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cqrs_identity.organisations.service import RelationshipRow
from cqrs_identity.organisations.tree import Organisation, OrganisationKind

K = OrganisationKind
DEMO_PASSWORD = "CQRS-demo-2025!"  # noqa: S105 - published on purpose; loaded only in development
DOMAIN = "demo.cqrs.local"

_ICBS = [  # ICB, name, region, PCNs, practice code prefix
    (
        "QRV",
        "North West London ICB",
        "Y56",
        [("U10001", "Harrow North PCN"), ("U10002", "Harrow South PCN")],
        "E85",
    ),
    (
        "QMJ",
        "North Central London ICB",
        "Y56",
        [("U20001", "Camden Central PCN"), ("U20002", "Islington East PCN")],
        "F83",
    ),
    (
        "QUE",
        "Cambridgeshire and Peterborough ICB",
        "Y61",
        [("U30001", "Cambridge City PCN"), ("U30002", "Fenland PCN")],
        "D81",
    ),
]
_PLACES = [
    "Abbey Road",
    "Beech House",
    "Castle Street",
    "Dove Lane",
    "Elm Tree",
    "Fairfield",
    "Grange Park",
    "Hill View",
    "Ivy Court",
    "Jubilee",
    "Kingsway",
    "Linden",
    "Meadow",
    "Northgate",
]
_KINDS_OF_PRACTICE = ["Surgery", "Medical Centre", "Health Centre"]
PCN_START = dt.date(2019, 7, 1)
#: Practices that moved PCN: practice, from, to, the first day in the new PCN.
MOVES = [
    ("E85004", "U10001", "U10002", dt.date(2024, 4, 1)),
    ("F83002", "U20001", "U20002", dt.date(2024, 10, 1)),
    ("D81007", "U30001", "U30002", dt.date(2025, 4, 1)),
]


def organisations() -> list[Organisation]:
    """NHS England, London and East of England, 3 ICBs, 6 PCNs and 42 practices."""
    orgs = [
        Organisation(ods_code="X24", name="NHS England", kind=K.NHS_ENGLAND),
        Organisation(ods_code="Y56", name="London", kind=K.REGION, parent="X24"),
        Organisation(ods_code="Y61", name="East of England", kind=K.REGION, parent="X24"),
    ]
    for icb, name, region, pcns, prefix in _ICBS:
        orgs.append(Organisation(ods_code=icb, name=name, kind=K.ICB, parent=region))
        orgs += [Organisation(ods_code=code, name=pcn, kind=K.PCN, parent=icb) for code, pcn in pcns]
        orgs += [
            Organisation(
                ods_code=f"{prefix}{n:03d}",
                name=f"{place} {_KINDS_OF_PRACTICE[n % 3]}",
                kind=K.PRACTICE,
                parent=icb,
            )
            for n, place in enumerate(_PLACES, start=1)
        ]
    return orgs


def relationships() -> list[RelationshipRow]:
    """Seven practices a PCN since July 2019, and three practices that moved on a past date."""
    moved = {practice: (old, new, day) for practice, old, new, day in MOVES}
    rows: list[RelationshipRow] = []
    for _, _, _, pcns, prefix in _ICBS:
        for n in range(1, 15):
            practice, pcn = f"{prefix}{n:03d}", pcns[0 if n <= 7 else 1][0]
            if practice in moved:
                old, new, day = moved[practice]
                rows.append(RelationshipRow(practice, old, PCN_START, day - dt.timedelta(days=1)))
                rows.append(RelationshipRow(practice, new, day))
            else:
                rows.append(RelationshipRow(practice, pcn, PCN_START))
    return rows


CLUSTER = ("QRV", "Harrow practices", ["U10001", "E85001", "E85002", "E85003"])
"""The demo Service Provider Cluster: owner, name, organisations."""

PENDING_REGISTRATION = (f"ravi.rao@{DOMAIN}", "Ravi", "Rao", "E85002")
"""A registration left waiting in North West London's Pending Actions."""


@dataclass(frozen=True)
class DemoUser:
    """One demo login: who, and which roles where."""

    email: str
    first_name: str
    last_name: str
    roles: dict[str, list[str]]
    clustered_at: tuple[str, ...] = field(default=())


def _u(
    local: str, first: str, last: str, roles: dict[str, list[str]], clustered_at: tuple[str, ...] = ()
) -> DemoUser:
    return DemoUser(f"{local}@{DOMAIN}", first, last, roles, clustered_at)


USERS = [
    _u("ada.advanced-admin", "Ada", "Lovelace", {"X24": ["Advanced User Administrator"]}),
    _u("omar.org-admin", "Omar", "Okafor", {"QRV": ["Organisation Administrator"]}),
    _u("uma.user-admin", "Uma", "Usman", {"QRV": ["User Administrator"]}),
    _u(
        "carl.cluster-admin", "Carl", "Clarke", {"QRV": ["User Administrator", "View"]}, clustered_at=("QRV",)
    ),
    _u("mia.ncl-admin", "Mia", "Murphy", {"QMJ": ["User Administrator", "Organisation Administrator"]}),
    _u("chloe.commissioner", "Chloe", "Chen", {"QRV": ["Commissioning Management"]}),
    _u("aaron.approver", "Aaron", "Ahmed", {"QRV": ["Approval Management"]}),
    _u("fiona.finance", "Fiona", "Fraser", {"QRV": ["Finance Management", "Finance View"]}),
    _u("victor.viewer", "Victor", "Vance", {"QRV": ["View", "Supervisor"]}),
    _u("lara.local-admin", "Lara", "Lewis", {"QRV": ["Local Administrator"]}),
    _u("tom.tier1", "Tom", "Turner", {"QRV": ["Local Approver Tier 1"]}),
    _u("tess.tier2", "Tess", "Taylor", {"QRV": ["Local Approver Tier 2"]}),
    _u("felix.local-finance", "Felix", "Ford", {"QRV": ["Local Finance"]}),
    _u("dina.dual-approver", "Dina", "Dixon", {"QRV": ["Local Approver Tier 1", "Local Approver Tier 2"]}),
    _u(
        "sam.service-manager",
        "Sam",
        "Singh",
        {"E85001": ["Service Management", "Achievement Entry", "Declaration Management"]},
    ),
    _u("priya.practice-user", "Priya", "Patel", {"E85001": ["Local User (single-level)"]}),
    _u("molly.multi-level", "Molly", "Moore", {"E85002": ["Local User (multi-level)"]}),
    _u("aisha.practice-approver", "Aisha", "Ali", {"E85002": ["Local Approver (multi-level)"]}),
    _u("nina.nominated", "Nina", "Nowak", {"U10001": ["PCN Organisation", "Declaration Management"]}),
    _u("noah.nominated", "Noah", "Nash", {"U10001": ["PCN Organisation", "Declaration Management"]}),
    _u("pete.pcn-viewer", "Pete", "Price", {"U10002": ["PCN Organisation", "View"]}),
]
"""One demo user per role (documented with their logins in services/identity/DEMO_USERS.md)."""
