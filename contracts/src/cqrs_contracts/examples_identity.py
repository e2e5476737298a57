"""One valid example of every identity event (kept apart so each service's examples stay short)."""

from datetime import UTC, date, datetime, timedelta

from cqrs_contracts.events.base import Event
from cqrs_contracts.events.identity import (
    AccessGranted,
    AccessRequested,
    AccessRequestRejected,
    AccessRestored,
    AccessRevoked,
    AccountDisabled,
    AccountEnabled,
    AllocatedService,
    ClusterChanged,
    ClusterCreated,
    InvitationSent,
    NotificationPreferencesChanged,
    OrganisationAdded,
    OrganisationChanged,
    PasswordChanged,
    PasswordResetRequested,
    PcnRelationshipEnded,
    PcnRelationshipStarted,
    RegistrationApproved,
    RegistrationCompleted,
    RegistrationRejected,
    ReportAllocationsRemoved,
    ReportsAllocated,
    RoleHeld,
    RolesChanged,
    UserClustersChanged,
    UserRegistered,
)

_WHEN = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)
_USER = "user-1"
_ADMIN = "user-2"
_QOF = AllocatedService(quality_service_id="qs-qof", financial_year="2025/26", payment_type="QOF")


def _organisation_examples() -> list[Event]:
    """Organisations, PCN relationships, clusters and allocated reports."""
    return [
        OrganisationAdded(
            ods_code="A81001",
            organisation_name="The Surgery",
            kind="GP Practice",
            parent_ods_code="QWE",
            ancestors=["X24", "Y56", "QWE"],
            added_at=_WHEN,
        ),
        OrganisationChanged(
            ods_code="A81001",
            organisation_name="The New Surgery",
            kind="GP Practice",
            parent_ods_code="QWE",
            ancestors=["X24", "Y56", "QWE"],
            changed_at=_WHEN,
        ),
        PcnRelationshipStarted(
            relationship_id="rel-1",
            practice_ods_code="A81001",
            pcn_ods_code="U12345",
            start_date=date(2024, 4, 1),
            recorded_at=_WHEN,
        ),
        PcnRelationshipEnded(
            relationship_id="rel-1",
            practice_ods_code="A81001",
            pcn_ods_code="U12345",
            end_date=date(2025, 3, 31),
            recorded_at=_WHEN,
        ),
        ClusterCreated(
            cluster_id="cluster-1",
            organisation_ods_code="QWE",
            short_name="QWE-C001",
            cluster_name="North practices",
            description="Practices north of the river",
            organisations=["A81001", "U12345"],
            created_by=_ADMIN,
            created_at=_WHEN,
        ),
        ClusterChanged(
            cluster_id="cluster-1",
            organisation_ods_code="QWE",
            short_name="QWE-C001",
            cluster_name="North practices",
            organisations=["A81001"],
            removed=["U12345"],
            changed_by=_ADMIN,
            changed_at=_WHEN,
        ),
        ReportsAllocated(
            allocation_id="QWE:U12345",
            organisation_ods_code="QWE",
            descendant_ods_code="U12345",
            services=[_QOF],
            allocated=[_QOF],
            allocated_by=_ADMIN,
            allocated_at=_WHEN,
        ),
        ReportAllocationsRemoved(
            allocation_id="QWE:U12345",
            organisation_ods_code="QWE",
            descendant_ods_code="U12345",
            quality_service_ids=["qs-qof"],
            allocated=[],
            removed_by=_ADMIN,
            removed_at=_WHEN,
        ),
    ]


def _user_examples() -> list[Event]:
    """Registrations, invitations, access, account status, roles, clusters and preferences."""
    return [
        UserRegistered(
            user_id=_USER,
            email="jane.smith@nhs.net",
            first_name="Jane",
            last_name="Smith",
            organisation_ods_code="A81001",
            requested_role="Local User (single-level)",
            request_id="request-1",
            registered_at=_WHEN,
        ),
        RegistrationApproved(
            user_id=_USER,
            email="jane.smith@nhs.net",
            organisation_ods_code="A81001",
            request_id="request-1",
            roles=[RoleHeld(role="Local User (single-level)")],
            link_expires_at=_WHEN + timedelta(hours=72),
            approved_by=_ADMIN,
            approved_at=_WHEN,
        ),
        RegistrationRejected(
            user_id=_USER,
            email="jane.smith@nhs.net",
            organisation_ods_code="A81001",
            request_id="request-1",
            reason="Not known at this practice",
            rejected_by=_ADMIN,
            rejected_at=_WHEN,
        ),
        InvitationSent(
            user_id=_USER,
            email="jane.smith@nhs.net",
            first_name="Jane",
            last_name="Smith",
            organisation_ods_code="A81001",
            request_id="request-3",
            role="Service Management",
            link_expires_at=_WHEN + timedelta(hours=72),
            invited_by=_ADMIN,
            invited_at=_WHEN,
        ),
        RegistrationCompleted(
            user_id=_USER,
            email="jane.smith@nhs.net",
            first_name="Jane",
            last_name="Smith",
            completed_at=_WHEN,
        ),
        AccessRequested(
            user_id=_USER,
            request_id="request-2",
            organisation_ods_code="A81002",
            requested_role="View",
            requested_at=_WHEN,
        ),
        AccessRequestRejected(
            user_id=_USER,
            request_id="request-2",
            organisation_ods_code="A81002",
            reason="Not on our staff list",
            rejected_by=_ADMIN,
            rejected_at=_WHEN,
        ),
        AccessGranted(
            user_id=_USER,
            organisation_ods_code="A81001",
            request_id="request-1",
            granted_by=_ADMIN,
            granted_at=_WHEN,
        ),
        AccessRevoked(user_id=_USER, organisation_ods_code="A81001", revoked_by=_ADMIN, revoked_at=_WHEN),
        AccessRestored(user_id=_USER, organisation_ods_code="A81001", restored_by=_ADMIN, restored_at=_WHEN),
        AccountDisabled(
            user_id=_USER,
            reason="Other",
            reason_text="Moved to another trust",
            disabled_by=_USER,
            disabled_at=_WHEN,
        ),
        AccountEnabled(user_id=_USER, enabled_by=_ADMIN, enabled_at=_WHEN),
        PasswordResetRequested(
            user_id=_USER, reset_id="reset-1", requested_by=_USER, link_expires_at=_WHEN, requested_at=_WHEN
        ),
        PasswordChanged(user_id=_USER, how="reset", changed_by=_USER, changed_at=_WHEN),
        RolesChanged(
            user_id=_USER,
            organisation_ods_code="A81001",
            roles=[RoleHeld(role="Service Management", payment_types=["QOF"])],
            changed_by=_ADMIN,
            changed_at=_WHEN,
        ),
        UserClustersChanged(
            user_id=_USER,
            organisation_ods_code="QWE",
            cluster_ids=["cluster-1"],
            changed_by=_ADMIN,
            changed_at=_WHEN,
        ),
        NotificationPreferencesChanged(
            user_id=_USER,
            email="jane.smith@nhs.net",
            task_emails=True,
            message_emails=False,
            changed_at=_WHEN,
        ),
    ]


def identity_examples() -> list[Event]:
    """Give a realistic instance of each identity event."""
    return [*_organisation_examples(), *_user_examples()]
