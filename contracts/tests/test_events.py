"""Events refuse payloads that would mislead the services reading them."""

from datetime import date, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from cqrs_contracts.events import (
    AttachmentUploaded,
    ClaimSubmitted,
    DeclarationApproved,
    FileScanned,
    OfferMade,
)
from cqrs_contracts.examples import example_events


def example_data(event_class: type[BaseModel]) -> dict[str, Any]:
    """The example event of this class as keyword arguments, ready to spoil one field."""
    (example,) = [event for event in example_events() if type(event) is event_class]
    return example.model_dump()


def refused(event_class: type[BaseModel], match: str, **changes: Any) -> None:
    """Assert that changing the example this way is refused, with a message matching ``match``."""
    with pytest.raises(ValidationError, match=match):
        event_class.model_validate(example_data(event_class) | changes)


@pytest.mark.parametrize("year", ["2025-26", "2025/27", "25/26", "2025/2026", "2099/00x"])
def test_offer_refuses_badly_written_financial_year(year: str) -> None:
    refused(OfferMade, "financial_year", financial_year=year)


def test_financial_year_may_span_a_century() -> None:
    assert OfferMade.model_validate(example_data(OfferMade) | {"financial_year": "2099/00"})


def test_offer_refuses_service_ending_before_it_starts() -> None:
    refused(OfferMade, "service_start must be on or before service_end", service_end=date(2025, 3, 31))


def test_offer_refuses_naive_time() -> None:
    refused(OfferMade, "timezone", offered_at=datetime(2025, 5, 1, 9, 30))


def test_offer_refuses_organisation_that_is_not_an_ods_code() -> None:
    refused(OfferMade, "provider_organisation_id", provider_organisation_id="a81001 ")


def test_offer_refuses_unknown_field() -> None:
    refused(OfferMade, "Extra inputs", provider_name="The Surgery")


def test_claim_worked_example_adds_up() -> None:
    (line,) = ClaimSubmitted.model_validate(example_data(ClaimSubmitted)).lines
    assert line.units * line.unit_price_pence == line.value_pence == 232104


@pytest.mark.parametrize(
    ("field", "value"),
    [("units", -1), ("unit_price_pence", -1), ("value_pence", -1), ("value_pence", 2321.04)],
)
def test_claim_line_refuses_negative_or_fractional_money(field: str, value: object) -> None:
    data = example_data(ClaimSubmitted)
    data["lines"][0][field] = value
    with pytest.raises(ValidationError, match=field):
        ClaimSubmitted.model_validate(data)


def test_claim_refuses_money_as_text() -> None:
    refused(ClaimSubmitted, "total_pence", total_pence="232104")


def test_claim_refuses_total_that_is_not_the_sum_of_lines() -> None:
    refused(ClaimSubmitted, "not the sum of line values", total_pence=232105)


def test_claim_needs_a_quality_service_and_a_line() -> None:
    refused(ClaimSubmitted, "quality_service_ids", quality_service_ids=[])
    refused(ClaimSubmitted, "lines", lines=[], total_pence=0)


def test_attachment_refuses_negative_size_and_dotted_file_types() -> None:
    refused(AttachmentUploaded, "size_bytes", size_bytes=-1)
    refused(AttachmentUploaded, "accepted_file_types", accepted_file_types=[".pdf"])


def test_infected_file_needs_a_signature() -> None:
    refused(FileScanned, "must name the signature", verdict="infected", reasons=["Remove it"])


def test_infected_file_with_signature_is_accepted() -> None:
    data = example_data(FileScanned) | {"verdict": "infected", "signature": "Eicar-Signature"}
    assert FileScanned.model_validate(data).signature == "Eicar-Signature"


def test_clean_file_has_no_reasons_or_signature() -> None:
    refused(FileScanned, "clean verdict carries no reasons", reasons=["Looks fine"])
    refused(FileScanned, "only an infected verdict", signature="Eicar-Signature")


def test_rejected_file_tells_the_provider_why() -> None:
    refused(FileScanned, "at least one reason", verdict="rejected")
    data = example_data(FileScanned) | {
        "verdict": "rejected",
        "reasons": ["The file is password protected. Remove the password and upload it again."],
    }
    assert FileScanned.model_validate(data).verdict == "rejected"


def test_scan_verdict_is_one_of_three() -> None:
    refused(FileScanned, "verdict", verdict="suspicious")


def test_declaration_refuses_negative_or_fractional_achievement() -> None:
    refused(DeclarationApproved, "achievement_pence", achievement_pence=-1)
    refused(DeclarationApproved, "points_hundredths", points_hundredths=523.45)


def test_declaration_step_is_commissioner_or_finance() -> None:
    refused(DeclarationApproved, "step", step="provider")


def test_extraction_refuses_more_adjustments_than_denominator() -> None:
    from cqrs_contracts.events import IndicatorCounts  # noqa: PLC0415

    with pytest.raises(ValidationError, match="personalised_care_adjustments 11 exceed denominator 10"):
        IndicatorCounts(indicator_id="HYP008", numerator=0, denominator=10, personalised_care_adjustments=11)


def test_extraction_refuses_numerator_above_the_cohort() -> None:
    from cqrs_contracts.events import IndicatorCounts  # noqa: PLC0415

    with pytest.raises(ValidationError, match="numerator 9 exceeds the cohort 8"):
        IndicatorCounts(indicator_id="HYP008", numerator=9, denominator=10, personalised_care_adjustments=2)


def test_extraction_refuses_an_indicator_twice() -> None:
    from cqrs_contracts.events import AchievementExtracted  # noqa: PLC0415

    data = example_data(AchievementExtracted)
    data["indicators"] = [data["indicators"][0], data["indicators"][0]]
    with pytest.raises(ValidationError, match="HYP008 appears more than once"):
        AchievementExtracted.model_validate(data)


def test_generated_extractions_are_valid_and_repeatable() -> None:
    from cqrs_contracts.achievement_generator import extractions, practice_codes, profiles  # noqa: PLC0415

    first = list(extractions(practice_codes(5), indicators=profiles(75), seed=7))
    again = list(extractions(practice_codes(5), indicators=profiles(75), seed=7))
    assert first == again
    assert {len(e.indicators) for e in first} == {75}
    assert all(row.register_size is not None for row in first[0].indicators if row.indicator_id == "HYP008")
