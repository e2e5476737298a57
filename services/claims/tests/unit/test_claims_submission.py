"""Submit finds every problem at once, by field; a valid claim goes to review; scans move it on."""

from __future__ import annotations

import datetime as dt

import pytest

from cqrs_claims.attachments.domain import Attachment, AttachmentStatus
from cqrs_claims.claims.domain import submission
from cqrs_claims.claims.domain.claim import Claim, ClaimStatus, NotAllowedNow, fold
from cqrs_claims.claims.domain.submission import Submit, SubmitLine, SubmitRefused
from cqrs_contracts.events import (
    Answer,
    ClaimDetailsEntered,
    ClaimReadyForTier1Review,
    ClaimReturned,
    ClaimSentForApproval,
    ClaimSubmitted,
)

from .claim_helpers import NOW, TODAY, USER, by_version, guide_services, with_everything

SERVICES = guide_services()
YES = [Answer(question_id="qualified-staff", yes=True)]


def attachment(
    status: AttachmentStatus, *, name: str = "practices.pdf", reasons: list[str] | None = None
) -> Attachment:
    return Attachment(
        attachment_id=f"att-{name}-{status.name}",
        claim_id="35929",
        component_id="ear-irrigation",
        provider_organisation_id="A81001",
        file_name=name,
        media_type="application/pdf",
        size_bytes=51200,
        bucket="cqrs-attachments",
        object_key=f"A81001/35929/{name}",
        status=status,
        reasons=reasons or [],
        uploaded_at=NOW,
    )


def complete(units: float = 1) -> Submit:
    return Submit(
        lines=[
            SubmitLine(component_id="complex-care-plan", units=12),
            SubmitLine(component_id="ear-irrigation", units=units),
            SubmitLine(component_id="depot-injection", units=2, answers=YES),
        ]
    )


def submit(
    claim: Claim, command: Submit, files: list[Attachment], *, approval: bool = False, today: dt.date = TODAY
) -> list:  # type: ignore[type-arg]
    return submission.submit(
        claim,
        command,
        by_version(SERVICES),
        files,
        today,
        needs_provider_approval=approval,
        actor=USER,
        now=NOW,
    )


def problems(
    claim: Claim, command: Submit, files: list[Attachment], today: dt.date = TODAY
) -> dict[str, str]:
    with pytest.raises(SubmitRefused) as refused:
        submit(claim, command, files, today=today)
    return {p.field: p.type for p in refused.value.problems}


def test_every_problem_is_answered_at_once_by_field() -> None:
    claim = with_everything(SERVICES)
    command = Submit(
        lines=[
            SubmitLine(component_id="complex-care-plan", units=1.5),
            SubmitLine(component_id="ear-irrigation", units=3),
            SubmitLine(component_id="depot-injection", units=-2),
        ]
    )
    assert problems(claim, command, []) == {
        "lines.complex-care-plan.units": "units-fractional",
        "lines.ear-irrigation.attachments": "evidence-missing",
        "lines.depot-injection.units": "units-negative",
    }


def test_units_not_entered_are_a_problem() -> None:
    assert (
        problems(with_everything(SERVICES), Submit(), [])["lines.complex-care-plan.units"] == "units-missing"
    )


def test_no_evidence_is_needed_for_zero_units() -> None:
    claim = with_everything(SERVICES)
    events = submit(claim, complete(units=0), [])
    assert isinstance(events[-1], ClaimReadyForTier1Review)


def test_a_required_text_answer_must_not_be_blank() -> None:
    services = guide_services()
    depot = services[2].service
    question = depot.components[0].questions[1].model_copy(update={"required": True})
    changed = depot.model_copy(
        update={
            "components": [
                depot.components[0].model_copy(
                    update={"questions": [depot.components[0].questions[0], question]}
                )
            ]
        }
    )
    global SERVICES  # noqa: PLW0603 - this one test swaps the catalogue
    saved, SERVICES = SERVICES, [*services[:2], services[2].model_copy(update={"service": changed})]
    try:
        found = problems(with_everything(SERVICES), complete(), [attachment(AttachmentStatus.CLEAN)])
    finally:
        SERVICES = saved
    assert found == {"lines.depot-injection.answers.clinician": "answer-required"}


def test_a_closed_window_is_a_problem() -> None:
    claim = with_everything(SERVICES)
    later = TODAY + dt.timedelta(days=60)
    found = problems(claim, complete(), [attachment(AttachmentStatus.CLEAN)], today=later)
    assert set(found.values()) == {"window-closed"}
    assert len(found) == 4


def test_an_empty_claim_is_a_problem() -> None:
    claim = with_everything(SERVICES).model_copy(update={"lines": []})
    assert problems(claim, Submit(), []) == {"lines": "no-lines"}


def test_a_required_answer_is_asked_only_for_what_is_claimed() -> None:
    claim = with_everything(SERVICES)
    command = Submit(lines=[*complete().lines[:2], SubmitLine(component_id="depot-injection", units=2)])
    found = problems(claim, command, [attachment(AttachmentStatus.CLEAN)])
    assert found == {"lines.depot-injection.answers.qualified-staff": "answer-required"}
    zero = Submit(lines=[*complete().lines[:2], SubmitLine(component_id="depot-injection", units=0)])
    assert isinstance(submit(claim, zero, [attachment(AttachmentStatus.CLEAN)])[-1], ClaimReadyForTier1Review)


def test_a_file_found_infected_before_submit_returns_the_claim_at_once() -> None:
    claim = with_everything(SERVICES)
    infected = attachment(AttachmentStatus.INFECTED, name="bad.pdf", reasons=["malware found"])
    events = submit(claim, complete(), [infected])
    assert [type(e) for e in events] == [ClaimDetailsEntered, ClaimSubmitted, ClaimReturned]
    assert events[-1].reasons == ["bad.pdf: malware found"]
    assert fold(claim, events).status is ClaimStatus.RETURNED


def test_a_line_not_in_the_claim_is_a_problem() -> None:
    claim = with_everything(SERVICES)
    command = Submit(lines=[*complete().lines, SubmitLine(component_id="nope", units=1)])
    assert problems(claim, command, [attachment(AttachmentStatus.CLEAN)]) == {"lines.nope": "line-unknown"}


def test_a_withdrawn_service_is_a_problem() -> None:
    claim = with_everything(SERVICES)
    with pytest.raises(SubmitRefused) as refused:
        submission.submit(
            claim,
            complete(),
            by_version(SERVICES[:2]),
            [attachment(AttachmentStatus.CLEAN)],
            TODAY,
            needs_provider_approval=False,
            actor=USER,
            now=NOW,
        )
    assert {p.type for p in refused.value.problems} == {"service-withdrawn"}


def test_a_valid_claim_with_a_file_being_scanned_is_pending_system_review() -> None:
    claim = with_everything(SERVICES)
    pending = attachment(AttachmentStatus.PENDING)
    events = submit(claim, complete(), [pending])
    assert [type(e) for e in events] == [ClaimDetailsEntered, ClaimSubmitted]
    submitted = events[1]
    assert submitted.total_pence == 232104 + 50000 + 2500 + 2 * 1500
    assert submitted.attachment_ids == [pending.attachment_id]
    retainer = next(line for line in submitted.lines if line.component_id == "care-retainer")
    assert (retainer.kind, retainer.units, retainer.value_pence) == ("retainer", 0, 50000)
    after = fold(claim, events)
    assert after.status is ClaimStatus.PENDING_SYSTEM_REVIEW


def test_all_clean_moves_on_to_tier_1_and_infected_returns_the_claim() -> None:
    claim = fold(
        with_everything(SERVICES),
        submit(with_everything(SERVICES), complete(), [attachment(AttachmentStatus.PENDING)]),
    )
    pending = attachment(AttachmentStatus.PENDING)
    assert submission.finish_system_review(claim, [pending], NOW) == []
    clean = pending.model_copy(update={"status": AttachmentStatus.CLEAN})
    (ready,) = submission.finish_system_review(claim, [clean], NOW)
    assert isinstance(ready, ClaimReadyForTier1Review)
    assert fold(claim, [ready]).status is ClaimStatus.PENDING_TIER_1_REVIEW
    assert submission.finish_system_review(fold(claim, [ready]), [clean], NOW) == []
    infected = pending.model_copy(update={"status": AttachmentStatus.INFECTED, "reasons": ["malware: Eicar"]})
    (returned,) = submission.finish_system_review(claim, [infected], NOW)
    assert isinstance(returned, ClaimReturned)
    assert returned.reasons == ["practices.pdf: malware: Eicar"]
    back = fold(claim, [returned])
    assert (back.status, back.returned_reasons) == (ClaimStatus.RETURNED, ["practices.pdf: malware: Eicar"])


def test_multi_level_user_prepares_and_approver_submits() -> None:
    claim = with_everything(SERVICES)
    files = [attachment(AttachmentStatus.CLEAN)]
    sent = submit(claim, complete(), files, approval=True)
    assert [type(e) for e in sent] == [ClaimDetailsEntered, ClaimSentForApproval]
    waiting = fold(claim, sent)
    assert waiting.status is ClaimStatus.AWAITING_PROVIDER_APPROVAL
    with pytest.raises(NotAllowedNow):
        submit(waiting, complete(), files, approval=True)
    approved = submit(waiting, Submit(), files)
    assert [type(e) for e in approved] == [ClaimSubmitted, ClaimReadyForTier1Review]
    assert fold(waiting, approved).status is ClaimStatus.PENDING_TIER_1_REVIEW


def test_refusal_changes_nothing() -> None:
    claim = with_everything(SERVICES)
    before = claim.model_dump()
    problems(claim, Submit(lines=[SubmitLine(component_id="complex-care-plan", units=-1)]), [])
    assert claim.model_dump() == before
