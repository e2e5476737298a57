"""Events of a CQRS Local claim while the provider builds it and until it reaches Tier 1 review.

Every change to a claim is one of these (topic ``cqrs.claims.claim``, keyed by claim), so a claim's
events are its history. ``ClaimSubmitted`` (in ``claims``) sits between them. Attachment events
(topic ``cqrs.claims.attachment``, keyed by attachment) follow ``AttachmentUploaded``.
"""

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from cqrs_contracts import topics
from cqrs_contracts.events.base import Event
from cqrs_contracts.values import Count, FinancialYear, Id, OdsCode, Pence, Text, UtcDatetime

ClaimMode = Literal["single", "multi"]
"""A claim holding one service (``single``) or every multi-service claimable service (``multi``)."""


class _ClaimEvent(Event):
    """Shared routing of every event about one claim, keyed by claim."""

    service: ClassVar[str] = "claims"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.CLAIMS_CLAIM

    claim_id: Id

    def aggregate_id(self) -> str:
        """Key by claim, so one claim's history stays in order."""
        return self.claim_id


class ClaimDrafted(_ClaimEvent):
    """A provider pressed +New Claim: a Draft claim with a new Claim ID exists."""

    provider_organisation_id: OdsCode
    commissioner_organisation_id: OdsCode
    financial_year: FinancialYear
    claim_mode: ClaimMode
    quality_service_id: Id | None = None
    drafted_by: Id
    drafted_at: UtcDatetime


class ClaimServicesSelected(_ClaimEvent):
    """Services were moved from the services pane into the components pane (Add All, or one)."""

    quality_service_ids: list[Id] = Field(min_length=1)
    selected_by: Id
    selected_at: UtcDatetime


class AddedComponent(BaseModel):
    """A component put into the claim pane, priced as the service's published version says.

    ``window_id`` is the claim window it is claimed in; ``None`` for services without windows.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    quality_service_id: Id
    service_version: int = Field(ge=1, strict=True)
    component_id: Id
    kind: Literal["unit_priced", "retainer"]
    unit_price_pence: Pence | None = None
    amount_pence: Pence | None = None
    window_id: Id | None = None


class ClaimComponentsAdded(_ClaimEvent):
    """Components were added to the claim (Add All components, or Add+ for one)."""

    components: list[AddedComponent] = Field(min_length=1)
    added_by: Id
    added_at: UtcDatetime


class ClaimComponentsRemoved(_ClaimEvent):
    """Components were taken out of the claim (Remove All, or one)."""

    component_ids: list[Id] = Field(min_length=1)
    removed_by: Id
    removed_at: UtcDatetime


class Answer(BaseModel):
    """A supplementary answer: the Yes/No toggle or free text, as the question asks."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    question_id: Id
    yes: bool | None = None
    text: str | None = Field(default=None, max_length=1000)


class EnteredLine(BaseModel):
    """What the provider entered on one claim line: units (``None`` until entered) and answers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    component_id: Id
    units: Count | None = None
    answers: list[Answer] = Field(default_factory=list)


class ClaimDetailsEntered(_ClaimEvent):
    """The provider entered units and supplementary answers on the claim pane."""

    lines: list[EnteredLine] = Field(min_length=1)
    entered_by: Id
    entered_at: UtcDatetime


class ClaimDeleted(_ClaimEvent):
    """A Draft claim was deleted: it is gone for the provider as if never started."""

    deleted_by: Id
    deleted_at: UtcDatetime


class ClaimSentForApproval(_ClaimEvent):
    """A User (multi-level) finished the claim: it is Awaiting Provider Approval by an Approver."""

    total_pence: Pence
    sent_by: Id
    sent_at: UtcDatetime


class ClaimReadyForTier1Review(_ClaimEvent):
    """Every attachment of a submitted claim was scanned clean: it is Pending Tier 1 Review."""

    provider_organisation_id: OdsCode
    commissioner_organisation_id: OdsCode
    total_pence: Pence
    attachment_ids: list[Id] = Field(default_factory=list)
    ready_at: UtcDatetime


class ClaimReturned(_ClaimEvent):
    """A claim went back to the provider to change, with the reasons (``returned_by`` ``system`` when
    an attachment was found infected or unacceptable; ``attachment_ids`` names those files)."""

    provider_organisation_id: OdsCode
    commissioner_organisation_id: OdsCode
    reasons: list[Text] = Field(min_length=1)
    attachment_ids: list[Id] = Field(default_factory=list)
    returned_by: Id
    returned_at: UtcDatetime
    step: Text | None = None
    """The review step that returned it (CL2); ``None`` when the system review did."""


class _AttachmentEvent(Event):
    """Shared routing of every event about one attachment, keyed by attachment."""

    service: ClassVar[str] = "claims"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.CLAIMS_ATTACHMENT

    attachment_id: Id
    claim_id: Id

    def aggregate_id(self) -> str:
        """Key by attachment, as its upload is."""
        return self.attachment_id


class AttachmentDeleted(_AttachmentEvent):
    """The provider deleted an attachment of a Draft or Returned claim; its file is removed."""

    deleted_by: Id
    deleted_at: UtcDatetime


class AttachmentStatusChanged(_AttachmentEvent):
    """The scanner's verdict on an attachment was recorded: Clean, Infected or Rejected (with the
    scanner's reasons); ``scan_event_id`` is the ``FileScanned`` it follows."""

    status: Literal["Clean", "Infected", "Rejected"]
    reasons: list[Text] = Field(default_factory=list)
    scan_event_id: Id
    changed_at: UtcDatetime
