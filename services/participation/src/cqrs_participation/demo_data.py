"""The demo catalogue for `make run`: QOF and the Network Contract DES (NHS England, X24) with real
indicator codes, and local services of the demo ICBs (see cqrs_identity.demo_data)."""

from __future__ import annotations

import datetime as dt

from cqrs_contracts.events.quality_service import (
    ClaimWindow,
    EvidenceRequirement,
    Indicator,
    IndicatorDomain,
    ServiceComponent,
    SupplementaryQuestion,
)
from cqrs_participation.domain.definition import ServiceDefinition, financial_year_bounds

LOCAL_ICBS = ("QRV", "QMJ")


def _i(code: str, text: str, low: int, high: int, points: int, *, prevalence: bool = True) -> Indicator:
    return Indicator(
        indicator_id=code,
        description=text,
        lower_threshold_percent=low,
        upper_threshold_percent=high,
        maximum_points=points,
        prevalence_adjusted=prevalence,
    )


QOF_DOMAINS = [
    IndicatorDomain(
        domain="Clinical",
        indicators=[
            _i(
                "DM012", "Diabetes: foot examination and risk classification in the last 12 months", 50, 90, 4
            ),
            _i("HYP008", "Hypertension under 80: last blood pressure 140/90 mmHg or less", 40, 77, 14),
            _i("AST007", "Asthma: review in the last 12 months including an asthma control test", 45, 70, 20),
            _i(
                "AF008",
                "Atrial fibrillation, CHA2DS2-VASc 2 or more: treated with anticoagulants",
                70,
                95,
                12,
            ),
        ],
    ),
    IndicatorDomain(
        domain="Organisational",
        indicators=[
            _i(
                "QI001",
                "Quality improvement: prescribing safety activity and review",
                0,
                100,
                27,
                prevalence=False,
            ),
            _i("QI002", "Quality improvement: access activity and review", 0, 100, 37, prevalence=False),
        ],
    ),
    IndicatorDomain(
        domain="Patient Experience",
        indicators=[
            _i(
                "PE001",
                "Patient experience: consultations booked at 10-minute intervals or longer",
                0,
                100,
                33,
                prevalence=False,
            ),
            _i(
                "PE002",
                "Patient experience: practice survey reviewed with the patient group",
                0,
                100,
                15,
                prevalence=False,
            ),
        ],
    ),
    IndicatorDomain(
        domain="Additional Services",
        indicators=[
            _i(
                "CS005",
                "Cervical screening: women 25 to 49 screened in the last 3 years 6 months",
                45,
                80,
                7,
                prevalence=False,
            ),
            _i(
                "CS006",
                "Cervical screening: women 50 to 64 screened in the last 5 years 6 months",
                45,
                80,
                4,
                prevalence=False,
            ),
        ],
    ),
]

NCD_DOMAINS = [
    IndicatorDomain(
        domain="Clinical",
        indicators=[
            _i(
                "VI-02",
                "Patients aged 65 or over given a seasonal influenza vaccination",
                80,
                86,
                41,
                prevalence=False,
            ),
            _i("CVD-05", "Hypertension: blood pressure treated to target in line with NICE", 59, 77, 78),
        ],
    ),
    IndicatorDomain(
        domain="Patient Experience",
        indicators=[
            _i("ACC-08", "Appointments with a wait of two weeks or less", 85, 90, 72, prevalence=False),
        ],
    ),
]


def quarterly_windows(year: str) -> list[ClaimWindow]:
    """A claim window in the month after each quarter of the financial year."""
    first, _ = financial_year_bounds(year)
    y = first.year
    opening = [dt.date(y, 7, 1), dt.date(y, 10, 1), dt.date(y + 1, 1, 1), dt.date(y + 1, 4, 1)]
    windows = []
    for quarter, opens in enumerate(opening, start=1):
        closes = opens.replace(day=28 if opens.month == 2 else 30 if opens.month in (4, 6, 9, 11) else 31)
        windows.append(
            ClaimWindow(
                window_id=f"{year}-q{quarter}", window_name=f"Q{quarter}", opens_on=opens, closes_on=closes
            )
        )
    return windows


def _base(owner: str, year: str, payment_type: str, name: str, paycode: str) -> dict[str, object]:
    start, end = financial_year_bounds(year)
    return {
        "commissioner_organisation_id": owner,
        "financial_year": year,
        "payment_type": payment_type,
        "service_name": name,
        "start_date": start,
        "end_date": end,
        "paycode": paycode,
    }


def national(year: str) -> dict[str, ServiceDefinition]:
    """QOF and the Network Contract DES for a financial year (NHS England); ids name the first year
    (identity's demo allocates reports on ``qs-qof-2025``)."""
    first = year[:4]
    return {
        f"qs-qof-{first}": ServiceDefinition.model_validate(
            _base("X24", year, "QOF", f"Quality and Outcomes Framework {year}", "QOF")
            | {
                "description": "QOF achievement declared by practices; points by indicator.",
                "declaration_required": True,
                "approval_required": True,
                "domains": QOF_DOMAINS,
            }
        ),
        f"qs-ncd-{first}": ServiceDefinition.model_validate(
            _base("X24", year, "Network Contract DES", f"Network Contract DES {year}", "NCDES")
            | {
                "description": "Investment and Impact Fund indicators for Primary Care Networks.",
                "declaration_required": True,
                "approval_required": True,
                "domains": NCD_DOMAINS,
            }
        ),
    }


def local(icb: str, year: str) -> dict[str, ServiceDefinition]:
    """The three local services of the user guide, for one ICB."""
    windows = quarterly_windows(year)
    code = icb.lower()
    return {
        f"qs-{code}-complex-care": ServiceDefinition.model_validate(
            _base(icb, year, "Local", "Complex Care Plans", f"{icb}-CCP")
            | {
                "description": "Care plans for patients with complex needs, reviewed each quarter.",
                "claim_mode": "multi",
                "claim_windows": windows,
                "components": [
                    ServiceComponent(
                        component_id="care-plan",
                        component_name="Care plan completed",
                        kind="unit_priced",
                        unit_price_pence=19342,
                    ),
                    ServiceComponent(
                        component_id="care-coordination-retainer",
                        component_name="Care co-ordination retainer",
                        kind="retainer",
                        amount_pence=125000,
                        information_note="Paid each quarter while a care co-ordinator is in post; "
                        "nothing to enter.",
                    ),
                ],
            }
        ),
        f"qs-{code}-ear-irrigation": ServiceDefinition.model_validate(
            _base(icb, year, "Local", "Ear Irrigation", f"{icb}-EAR")
            | {
                "description": "Ear irrigation in the practice instead of referral.",
                "claim_mode": "multi",
                "claim_windows": windows,
                "components": [
                    ServiceComponent(
                        component_id="ear-irrigation",
                        component_name="Ear irrigation procedure",
                        kind="unit_priced",
                        unit_price_pence=2450,
                        evidence=EvidenceRequirement(
                            instructions="Upload the anonymised procedure log for the quarter "
                            "(mandatory when 1 or more units are claimed).",
                            accepted_file_types=["pdf", "docx", "xlsx", "csv"],
                        ),
                    )
                ],
            }
        ),
        f"qs-{code}-depot": ServiceDefinition.model_validate(
            _base(icb, year, "Local", "Depot Antipsychotic Injections", f"{icb}-DAI")
            | {
                "description": "Administration of depot antipsychotic injections.",
                "claim_mode": "single",
                "components": [
                    ServiceComponent(
                        component_id="depot-injection",
                        component_name="Depot injection given",
                        kind="unit_priced",
                        unit_price_pence=1875,
                        questions=[
                            SupplementaryQuestion(
                                question_id="qualified-staff",
                                text="Were the depot injections administered by a qualified member of staff?",
                                kind="yes_no",
                                required=True,
                            )
                        ],
                    )
                ],
            }
        ),
    }


DEMO_OFFERS = [  # provider, service id suffix, what happens after the offer
    ("E85001", "complex-care", "offered"),
    ("E85002", "complex-care", "accepted"),
    ("E85003", "complex-care", "rejected"),
    ("E85005", "complex-care", "withdrawn"),
    ("E85001", "ear-irrigation", "accepted"),
    ("E85006", "ear-irrigation", "cancelled"),
    ("E85001", "depot", "offered"),
    ("E85002", "depot", "accepted"),  # so the multi-level users at E85002 can claim today
]
"""Offers North West London (QRV) made in the demo, in every status."""
