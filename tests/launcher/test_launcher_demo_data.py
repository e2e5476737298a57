"""`make run`'s demo data agrees across services: claims' demo extractions are for participation's
demo QOF service, cover exactly its indicators with a national prevalence for each
prevalence-adjusted one, and come from identity's demo practices of North West London."""

from __future__ import annotations

import datetime as dt

import pytest

from cqrs_claims.achievement import demo as claims_demo
from cqrs_identity.demo_data import organisations
from cqrs_identity.organisations.tree import OrganisationKind
from cqrs_participation.demo_data import national
from cqrs_participation.domain.definition import financial_year_of


@pytest.mark.parametrize("today", [dt.date(2026, 11, 26), dt.date(2026, 4, 1), dt.date(2027, 3, 31)])
def test_claims_demo_extractions_fit_participations_demo_qof(today: dt.date) -> None:
    assert claims_demo.financial_year_of(today) == financial_year_of(today)
    qof = national(financial_year_of(today))[claims_demo.demo_service_id(today)]
    published = {i.indicator_id: i for d in qof.domains for i in d.indicators}
    assert {p.indicator_id for p in claims_demo.QOF_PROFILES} == set(published)
    prevalence = set(claims_demo.demo_settings(today).national_prevalence)
    assert prevalence == {code for code, i in published.items() if i.prevalence_adjusted}
    for extraction in claims_demo.demo_extractions(today):
        assert qof.start_date <= extraction.achievement_date <= qof.end_date
        assert extraction.financial_year == qof.financial_year


@pytest.mark.parametrize("today", [dt.date(2026, 11, 26), dt.date(2026, 4, 1)])
def test_claims_demo_network_contract_des_fits_participations_and_is_declared_by_pcns(today: dt.date) -> None:
    ncd = national(financial_year_of(today))[claims_demo.ncd_service_id(today)]
    published = {i.indicator_id: i for d in ncd.domains for i in d.indicators}
    assert {p.indicator_id for p in claims_demo.NCD_PROFILES} == set(published)
    settings = claims_demo.ncd_settings(today)
    assert set(settings.national_prevalence) == {c for c, i in published.items() if i.prevalence_adjusted}
    assert settings.declaration_level == "pcn"
    sent = [
        e
        for e in claims_demo.demo_extractions(today)
        if e.quality_service_id == claims_demo.ncd_service_id(today)
    ]
    assert len(sent) == len(claims_demo.achievement_dates(today)) * len(claims_demo.DEMO_PRACTICES)


def test_claims_demo_practices_are_identitys_north_west_london_practices() -> None:
    practices = {
        o.ods_code for o in organisations() if o.parent == "QRV" and o.kind is OrganisationKind.PRACTICE
    }
    assert set(claims_demo.DEMO_PRACTICES) == practices
