"""What the claim pages show: lines with names, values and notes, totals, attachments and their
statuses, answers, the panes, and the history (shapes of the API's answers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from cqrs_claims.attachments.domain import Attachment
from cqrs_claims.catalogue.domain import ClaimableService, Evidence, Question, Window
from cqrs_claims.claims.domain import money
from cqrs_claims.claims.domain.claim import Claim, Line
from cqrs_claims.claims.domain.pane import PaneService
from cqrs_contracts.events import Answer


class AttachmentView(BaseModel):
    """An attachment and its scan status (reasons say what to do when it was refused)."""

    attachment_id: str
    component_id: str | None
    file_name: str
    media_type: str
    size_bytes: int
    status: str
    reasons: list[str]
    uploaded_at: dt.datetime
    downloadable: bool

    @classmethod
    def of(cls, a: Attachment) -> AttachmentView:
        """The view of one attachment."""
        return cls(**a.model_dump(), downloadable=a.downloadable)


class LineView(BaseModel):
    """One claim line as the claim pane shows it."""

    quality_service_id: str
    service_name: str | None
    component_id: str
    component_name: str | None
    kind: str
    units: int | None
    unit_price_pence: int | None
    value_pence: int
    value: str
    information_note: str | None = None
    evidence: Evidence | None = None
    questions: list[Question] = Field(default_factory=list)
    answers: list[Answer] = Field(default_factory=list)
    window_id: str | None
    attachments: list[AttachmentView] = Field(default_factory=list)


class ClaimSummary(BaseModel):
    """A claim in the provider's (or commissioner's) list."""

    claim_id: str
    status: str
    provider_organisation_id: str
    commissioner_organisation_id: str
    financial_year: str
    claim_mode: str
    total_pence: int
    total: str
    drafted_at: dt.datetime
    submitted_at: dt.datetime | None

    @classmethod
    def of(cls, claim: Claim) -> ClaimSummary:
        """The list row of a claim."""
        return cls(
            **claim.model_dump(exclude={"total_pence"}),
            total_pence=claim.total_pence,
            total=money.pounds(claim.total_pence),
        )


class ClaimDetail(ClaimSummary):
    """A claim with its lines, totals, attachments and answers."""

    quality_service_id: str | None
    lines: list[LineView]
    returned_reasons: list[str]
    attachments: list[AttachmentView]
    version: int


def _line(line: Line, service: ClaimableService | None, files: list[Attachment]) -> LineView:
    component = service.service.component(line.component_id) if service else None
    return LineView(
        **line.model_dump(exclude={"answers"}),
        service_name=service.service.service_name if service else None,
        component_name=component.component_name if component else None,
        value_pence=line.value_pence,
        value=money.pounds(line.value_pence),
        information_note=component.information_note if component else None,
        evidence=component.evidence if component else None,
        questions=component.questions if component else [],
        answers=list(line.answers.values()),
        attachments=[AttachmentView.of(a) for a in files if a.component_id == line.component_id],
    )


def detail(
    claim: Claim, services: dict[tuple[str, int], ClaimableService], files: list[Attachment]
) -> ClaimDetail:
    """The claim page."""
    lines = [_line(x, services.get((x.quality_service_id, x.service_version)), files) for x in claim.lines]
    return ClaimDetail(
        **ClaimSummary.of(claim).model_dump(),
        quality_service_id=claim.quality_service_id,
        lines=lines,
        returned_reasons=claim.returned_reasons,
        attachments=[AttachmentView.of(a) for a in files],
        version=claim.version,
    )


class PaneComponent(BaseModel):
    """A component in the components pane: Add+ adds it on its own."""

    component_id: str
    component_name: str
    kind: str
    unit_price_pence: int | None
    amount_pence: int | None
    in_claim: bool


class PaneServiceView(BaseModel):
    """A service in the services pane: its name and how many components it has."""

    quality_service_id: str
    service_name: str
    component_count: int
    claim_mode: str
    window: Window | None
    add_individually: bool
    selected: bool
    components: list[PaneComponent]


def pane(claim: Claim, services: list[PaneService]) -> list[PaneServiceView]:
    """The services pane, and for selected services the components pane."""
    in_claim = {x.component_id for x in claim.lines}
    return [
        PaneServiceView(
            quality_service_id=p.quality_service_id,
            service_name=p.claimable.service.service_name,
            component_count=len(p.claimable.service.components),
            claim_mode=p.claimable.service.claim_mode,
            window=p.state.window,
            add_individually=p.state.add_individually,
            selected=p.quality_service_id in claim.selected_service_ids,
            components=[
                PaneComponent(**c.model_dump(), in_claim=c.component_id in in_claim)
                for c in p.claimable.service.components
            ]
            if p.quality_service_id in claim.selected_service_ids
            else [],
        )
        for p in services
    ]


class HistoryEntry(BaseModel):
    """One event in a claim's (or its attachments') history: what, who (user id, and their name
    when a person acted) and when."""

    event: str
    actor: str | None
    actor_name: str | None = None
    at: dt.datetime
    data: dict[str, Any]


class Page(BaseModel):
    """One page of a list."""

    items: list[ClaimSummary]
    total: int
    page: int
    page_size: int
