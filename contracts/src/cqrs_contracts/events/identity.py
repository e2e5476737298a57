"""Events published by the identity service: organisations, PCN relationships, clusters, allocated
reports (topic ``cqrs.identity.organisation``) and user accounts, roles and access (``cqrs.identity.user``).

Other services keep their own read models from these: the organisation tree (``parent`` and
``ancestors``), who holds which role where, whose account is disabled, and which reports a
descendant organisation may run. Access tokens carry each user's effective scope; events carry the
facts it is computed from.
"""

import datetime as dt
from typing import Annotated, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from cqrs_contracts import topics
from cqrs_contracts.events.base import Event
from cqrs_contracts.values import FinancialYear, Id, OdsCode, Text, UtcDatetime

Description = Annotated[str, StringConstraints(max_length=1000)]
"""Optional free text (may be empty) shown beside a name."""

OrganisationKind = Literal["NHS England", "Region", "ICB", "PCN", "GP Practice", "Federation"]
"""The kinds of organisation CQRS knows, as users see them."""


class _OrganisationEvent(Event):
    """Shared routing of everything about organisations, their relationships and clusters."""

    service: ClassVar[str] = "identity"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.IDENTITY_ORGANISATION


class _UserEvent(Event):
    """Shared routing of everything about one user's account; keyed by user so it stays in order."""

    service: ClassVar[str] = "identity"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.IDENTITY_USER

    user_id: Id

    def aggregate_id(self) -> str:
        """Key by user, so one account's history stays in order."""
        return self.user_id


class OrganisationAdded(_OrganisationEvent):
    """An organisation became known to CQRS (import or demo data).

    ``ancestors`` lists the ODS codes above it, nearest parent last, so a reader can answer
    "is X a descendant of Y" without rebuilding the tree.
    """

    ods_code: OdsCode
    organisation_name: Text
    kind: OrganisationKind
    parent_ods_code: OdsCode | None = None
    ancestors: list[OdsCode] = Field(default_factory=list)
    added_at: UtcDatetime

    def aggregate_id(self) -> str:
        """Key by ODS code, so one organisation's history stays in order."""
        return self.ods_code


class OrganisationChanged(_OrganisationEvent):
    """An organisation's name, kind or parent changed; the payload is its whole new state."""

    ods_code: OdsCode
    organisation_name: Text
    kind: OrganisationKind
    parent_ods_code: OdsCode | None = None
    ancestors: list[OdsCode] = Field(default_factory=list)
    changed_at: UtcDatetime

    def aggregate_id(self) -> str:
        """Key by ODS code, so one organisation's history stays in order."""
        return self.ods_code


class PcnRelationshipStarted(_OrganisationEvent):
    """A GP practice joined a PCN from ``start_date`` (until ``end_date`` when already known).

    Keyed by practice so a practice's moves between PCNs are read in order; PCN achievement is
    recalculated for both PCNs when a practice joins or leaves.
    """

    relationship_id: Id
    practice_ods_code: OdsCode
    pcn_ods_code: OdsCode
    start_date: dt.date
    end_date: dt.date | None = None
    recorded_at: UtcDatetime

    def aggregate_id(self) -> str:
        """Key by practice."""
        return self.practice_ods_code

    @model_validator(mode="after")
    def _period_is_ordered(self) -> Self:
        """Refuse a relationship that ends before it starts."""
        if self.end_date is not None and self.end_date < self.start_date:
            msg = "end_date must be on or after start_date"
            raise ValueError(msg)
        return self


class PcnRelationshipEnded(_OrganisationEvent):
    """A GP practice left a PCN; its relationship ends on ``end_date`` (inclusive)."""

    relationship_id: Id
    practice_ods_code: OdsCode
    pcn_ods_code: OdsCode
    end_date: dt.date
    recorded_at: UtcDatetime

    def aggregate_id(self) -> str:
        """Key by practice."""
        return self.practice_ods_code


class ClusterCreated(_OrganisationEvent):
    """A commissioner defined a Service Provider Cluster; ``short_name`` never changes."""

    cluster_id: Id
    organisation_ods_code: OdsCode
    short_name: Text
    cluster_name: Text
    description: Description = ""
    organisations: list[OdsCode]
    created_by: Id
    created_at: UtcDatetime

    def aggregate_id(self) -> str:
        """Key by cluster."""
        return self.cluster_id


class ClusterChanged(_OrganisationEvent):
    """A cluster was renamed, described, or had organisations added or removed (whole new state)."""

    cluster_id: Id
    organisation_ods_code: OdsCode
    short_name: Text
    cluster_name: Text
    description: Description = ""
    organisations: list[OdsCode]
    added: list[OdsCode] = Field(default_factory=list)
    removed: list[OdsCode] = Field(default_factory=list)
    changed_by: Id
    changed_at: UtcDatetime

    def aggregate_id(self) -> str:
        """Key by cluster."""
        return self.cluster_id


class AllocatedService(BaseModel):
    """One Quality Service whose report data a descendant organisation may see."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    quality_service_id: Id
    financial_year: FinancialYear
    payment_type: Text


class ReportsAllocated(_OrganisationEvent):
    """A parent organisation let a descendant run reports on some of its Quality Services.

    ``allocated`` is the whole set now allocated to that descendant by that parent.
    """

    allocation_id: Id
    organisation_ods_code: OdsCode
    descendant_ods_code: OdsCode
    services: list[AllocatedService] = Field(min_length=1)
    allocated: list[AllocatedService]
    allocated_by: Id
    allocated_at: UtcDatetime

    def aggregate_id(self) -> str:
        """Key by allocation (one parent, one descendant)."""
        return self.allocation_id


class ReportAllocationsRemoved(_OrganisationEvent):
    """A parent organisation took back report access to some Quality Services (whole set after)."""

    allocation_id: Id
    organisation_ods_code: OdsCode
    descendant_ods_code: OdsCode
    quality_service_ids: list[Id] = Field(min_length=1)
    allocated: list[AllocatedService]
    removed_by: Id
    removed_at: UtcDatetime

    def aggregate_id(self) -> str:
        """Key by allocation (one parent, one descendant)."""
        return self.allocation_id


class RoleHeld(BaseModel):
    """One role at one organisation, optionally limited to payment types (empty: all of them)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Text
    payment_types: list[Text] = Field(default_factory=list)


class UserRegistered(_UserEvent):
    """A person registered; the request waits in an administrator's Pending Actions."""

    email: Text
    first_name: Text
    last_name: Text
    organisation_ods_code: OdsCode
    requested_role: Text | None = None
    request_id: Id
    registered_at: UtcDatetime


class RegistrationApproved(_UserEvent):
    """An administrator approved a registration; identity emails the person a single-use link.

    Version 2: the link itself never travels on Kafka (version 1 carried it, so anyone reading the
    topic could complete someone else's registration). Version 1 records are still readable as
    this class (see ``cqrs_contracts.registry.RETIRED``); their link is dropped when read.
    """

    version: ClassVar[int] = 2

    email: Text
    organisation_ods_code: OdsCode
    request_id: Id
    roles: list[RoleHeld] = Field(default_factory=list)
    link_expires_at: UtcDatetime
    approved_by: Id
    approved_at: UtcDatetime


class RegistrationRejected(_UserEvent):
    """An administrator rejected a registration, giving the reason the person is emailed."""

    email: Text
    organisation_ods_code: OdsCode
    request_id: Id
    reason: Text
    rejected_by: Id
    rejected_at: UtcDatetime


class InvitationSent(_UserEvent):
    """An administrator invited a person to a role at an organisation.

    A new person is emailed (by identity) a single-use link to complete registration, valid until
    ``link_expires_at``; an existing user is emailed a request to accept the role, which applies
    only once they accept it (``AccessGranted`` with this ``request_id``).

    Version 2: the link never travels on Kafka (version 1 carried it). Version 1 records are still
    readable as this class (``cqrs_contracts.registry.RETIRED``), without their link.
    """

    version: ClassVar[int] = 2

    email: Text
    first_name: Text
    last_name: Text
    organisation_ods_code: OdsCode
    request_id: Id
    role: Text
    payment_types: list[Text] = Field(default_factory=list)
    link_expires_at: UtcDatetime | None = None
    invited_by: Id
    invited_at: UtcDatetime


class RegistrationCompleted(_UserEvent):
    """The person followed their link and chose a password: the account is active."""

    email: Text
    first_name: Text
    last_name: Text
    completed_at: UtcDatetime


class AccessRequested(_UserEvent):
    """An existing user asked for access to another organisation."""

    request_id: Id
    organisation_ods_code: OdsCode
    requested_role: Text | None = None
    requested_at: UtcDatetime


class AccessRequestRejected(_UserEvent):
    """An administrator refused a user's access request, giving the reason."""

    request_id: Id
    organisation_ods_code: OdsCode
    reason: Text
    rejected_by: Id
    rejected_at: UtcDatetime


class AccessGranted(_UserEvent):
    """A user gained access to an organisation (approved request, registration or invitation)."""

    organisation_ods_code: OdsCode
    request_id: Id | None = None
    granted_by: Id
    granted_at: UtcDatetime


class AccessRevoked(_UserEvent):
    """All of a user's access at one organisation was removed; they can still log in."""

    organisation_ods_code: OdsCode
    revoked_by: Id
    revoked_at: UtcDatetime


class AccessRestored(_UserEvent):
    """Enable Account: a user's revoked access at one organisation was given back."""

    organisation_ods_code: OdsCode
    restored_by: Id
    restored_at: UtcDatetime


class AccountDisabled(_UserEvent):
    """The account was disabled (by its owner or an administrator): login is refused everywhere."""

    reason: Text
    reason_text: Text | None = None
    disabled_by: Id
    disabled_at: UtcDatetime


class AccountEnabled(_UserEvent):
    """A disabled account was enabled again by an administrator."""

    enabled_by: Id
    enabled_at: UtcDatetime


class PasswordResetRequested(_UserEvent):
    """A password reset was asked for (by the account's owner, or by an administrator for them);
    identity emails the account's address a single-use link valid until ``link_expires_at``.
    The link itself never travels on Kafka."""

    reset_id: Id
    requested_by: Id
    link_expires_at: UtcDatetime
    requested_at: UtcDatetime


class PasswordChanged(_UserEvent):
    """The account's password changed: by its owner knowing the old one (``change``) or from an
    emailed reset link (``reset``). Every session of the account ends."""

    how: Literal["change", "reset"]
    changed_by: Id
    changed_at: UtcDatetime


class RolesChanged(_UserEvent):
    """The roles a user holds at one organisation changed; ``roles`` is the whole new set there."""

    organisation_ods_code: OdsCode
    roles: list[RoleHeld]
    changed_by: Id
    changed_at: UtcDatetime


class UserClustersChanged(_UserEvent):
    """The clusters a user is limited to at one organisation changed (empty: no restriction)."""

    organisation_ods_code: OdsCode
    cluster_ids: list[Id]
    changed_by: Id
    changed_at: UtcDatetime


class NotificationPreferencesChanged(_UserEvent):
    """A user chose which emails they want: tasks to act on and messages that inform.

    ``daily_digest`` true: the emails they want come once a day, together in one digest, instead
    of one by one as each item arrives (events without it mean one by one).
    """

    email: Text
    task_emails: bool
    message_emails: bool
    changed_at: UtcDatetime
    daily_digest: bool = False
