"""Who gets what: every event the Message Centre reacts to, in one table.

| event | creates | for (role) | at | template | closes (same subject) |
|---|---|---|---|---|---|
| OfferMade | task | Service Management | provider | offer-to-answer | |
| OfferReissued | task | Service Management | provider | offer-to-answer | |
| OfferAccepted | nothing (the guide: no notification) | | | | offer-to-answer |
| OfferRejected | message | Commissioning Management | commissioner | offer-rejected | offer-to-answer |
| OfferWithdrawn | message | Service Management | provider | offer-withdrawn | offer-to-answer |
| OfferCancelled | message | Service Management | provider | offer-cancelled | |
| ServiceRequested | task | Commissioning Management | commissioner | service-request-to-answer | |
| OfferMade (answering a request) | (the offer's task above) | | | | service-request-to-answer |
| UserRegistered | task | user administrators | organisation asked for | registration-to-review | |
| RegistrationApproved | nothing (identity mails the link: one mail) | | | | registration-to-review |
| RegistrationRejected | message | the person | | registration-rejected | registration-to-review |
| AccessRequested | task | user administrators | organisation asked for | access-to-review | |
| AccessGranted (answering a request) | nothing | | | | access-to-review |
| AccessRequestRejected | message | the person | | access-rejected | access-to-review |
| ClaimAwaitingReview (each step) | task | the step's role | commissioner | claim-to-review | |
| ClaimApprovedAtStep (last sign-off) | nothing | | | | claim-to-review (that step) |
| ClaimRejected | message | provider's claim users | provider | claim-rejected | claim-to-review (that step) |
| ClaimReturned | message | provider's claim users | provider | claim-returned | claim-to-review (that step) |
| ClaimPaid | message | provider's claim users | provider | claim-paid | |
| PaymentBatchFlagged | task | Local Finance | commissioner | payment-batch-flagged | |
| DeclarationDeclared (approval required) | task | Approval Management | above provider | decl-to-appr | |
| DeclarationApproved (commr.) | task | Finance Management | above provider | decl-to-finance | decl-to-appr |
| DeclarationApproved (finance) | message | Declaration Mgmt | provider | decl-approved | decl-to-finance |
| DeclarationRecalculated | nothing (back with the provider) | | | | decl-to-appr, decl-to-finance |

Declaration tasks go to the role held at or above the provider, as claims lets them approve: a
national service's commissioner is NHS England, but the practice's ICB approves its declaration.
A "No Approval Required" service's declaration asks nobody to approve (``approval_required`` is
false: CQRS approves it in the next event); finance approval is always asked for, as claims never
gives it by itself. A declaration's subject is its id, so a task reopened after a recalculation and
a new declaration asks again.

A task opened later than a closure of its subject stays open (a reissued offer asks again).
A task is closed by the first event that does what it asks, whoever did it; a closing event that
arrives before the task it closes is remembered by subject, so the task is born closed.
(decl-to-appr, decl-to-finance and decl-approved stand for declaration-to-approve,
declaration-to-finance-approve and declaration-approved.)
Identity sends the mails that carry links or secrets itself; these messages never carry them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from cqrs_contracts.events import (
    ClaimApprovedAtStep,
    ClaimAwaitingReview,
    ClaimPaid,
    ClaimRejected,
    ClaimReturned,
    DeclarationApproved,
    DeclarationDeclared,
    DeclarationRecalculated,
    Event,
    OfferAccepted,
    OfferCancelled,
    OfferMade,
    OfferReissued,
    OfferRejected,
    OfferWithdrawn,
    PaymentBatchFlagged,
    ServiceRequested,
)
from cqrs_contracts.events.identity import (
    AccessGranted,
    AccessRequested,
    AccessRequestRejected,
    RegistrationApproved,
    RegistrationRejected,
    UserRegistered,
)

ItemKind = Literal["task", "message"]


USER_ADMINISTRATORS = ("User Administrator", "Advanced User Administrator", "Local Administrator")
"""Identity's roles that review registrations and access requests."""

CLAIM_PREPARERS = ("Local User (single-level)", "Local User (multi-level)", "Local Approver (multi-level)")
"""The provider roles that prepare and submit CQRS Local claims."""


@dataclass(frozen=True)
class ToRole:
    """Everyone holding one of these roles with authority over the organisation the event names."""

    roles: tuple[str, ...]
    organisation: Callable[[Any], str]
    payment_type: Callable[[Any], str | None] = lambda _: None
    role_of: Callable[[Any], str] | None = None
    """The role named by the event itself (a claim's review step), when ``roles`` is empty."""

    def roles_for(self, event: Any) -> tuple[str, ...]:
        """The roles this event's item is for."""
        return (*self.roles, self.role_of(event)) if self.role_of else self.roles


@dataclass(frozen=True)
class ToPerson:
    """One person the event is about, at the address it names (they may have no account yet)."""

    user_id: Callable[[Any], str]
    email: Callable[[Any], str]


@dataclass(frozen=True)
class Row:
    """One line of the table: what an event creates, for whom, and which open tasks it closes."""

    event: type[Event]
    subject: Callable[[Any], str]
    creates: ItemKind | None = None
    kind: str = ""
    audience: ToRole | ToPerson | None = None
    title: Callable[[Any], str] = lambda _: ""
    closes: tuple[str, ...] = ()
    when: Callable[[Any], bool] = lambda _: True


def _full_name(e: Any) -> str:
    return f"{e.first_name} {e.last_name}"


ROWS: tuple[Row, ...] = (
    Row(
        OfferMade,
        subject=lambda e: e.offer_id,
        creates="task",
        kind="offer-to-answer",
        audience=ToRole(
            ("Service Management",),
            lambda e: e.provider_organisation_id,
            lambda e: e.payment_type,
        ),
        title=lambda e: f"Review the offer of Quality Service {e.quality_service_id}",
    ),
    Row(
        OfferReissued,
        subject=lambda e: e.offer_id,
        creates="task",
        kind="offer-to-answer",
        audience=ToRole(
            ("Service Management",),
            lambda e: e.provider_organisation_id,
            lambda e: e.payment_type,
        ),
        title=lambda e: f"Review the offer of Quality Service {e.quality_service_id}",
    ),
    Row(OfferAccepted, subject=lambda e: e.offer_id, closes=("offer-to-answer",)),
    Row(
        OfferRejected,
        subject=lambda e: e.offer_id,
        creates="message",
        kind="offer-rejected",
        audience=ToRole(("Commissioning Management",), lambda e: e.commissioner_organisation_id),
        title=lambda e: f"{e.provider_organisation_id} rejected the offer of {e.quality_service_id}",
        closes=("offer-to-answer",),
    ),
    Row(
        OfferWithdrawn,
        subject=lambda e: e.offer_id,
        creates="message",
        kind="offer-withdrawn",
        audience=ToRole(("Service Management",), lambda e: e.provider_organisation_id),
        title=lambda e: f"The offer of Quality Service {e.quality_service_id} was withdrawn",
        closes=("offer-to-answer",),
    ),
    Row(
        OfferCancelled,
        subject=lambda e: e.offer_id,
        creates="message",
        kind="offer-cancelled",
        audience=ToRole(("Service Management",), lambda e: e.provider_organisation_id),
        title=lambda e: f"Quality Service {e.quality_service_id} was cancelled",
    ),
    Row(
        ServiceRequested,
        subject=lambda e: e.request_id,
        creates="task",
        kind="service-request-to-answer",
        audience=ToRole(("Commissioning Management",), lambda e: e.commissioner_organisation_id),
        title=lambda e: (
            f"{e.provider_organisation_id} asks to be offered Quality Service {e.quality_service_id}"
        ),
    ),
    Row(
        OfferMade,
        subject=lambda e: e.request_id or "",
        closes=("service-request-to-answer",),
        when=lambda e: e.request_id is not None,
    ),
    Row(
        UserRegistered,
        subject=lambda e: e.request_id,
        creates="task",
        kind="registration-to-review",
        audience=ToRole(USER_ADMINISTRATORS, lambda e: e.organisation_ods_code),
        title=lambda e: f"Review the registration of {_full_name(e)} at {e.organisation_ods_code}",
    ),
    Row(
        RegistrationApproved,
        subject=lambda e: e.request_id,
        closes=("registration-to-review",),
    ),
    Row(
        RegistrationRejected,
        subject=lambda e: e.request_id,
        creates="message",
        kind="registration-rejected",
        audience=ToPerson(lambda e: e.user_id, lambda e: e.email),
        title=lambda e: f"Your registration at {e.organisation_ods_code} was rejected",
        closes=("registration-to-review",),
    ),
    Row(
        AccessRequested,
        subject=lambda e: e.request_id,
        creates="task",
        kind="access-to-review",
        audience=ToRole(USER_ADMINISTRATORS, lambda e: e.organisation_ods_code),
        title=lambda e: f"Review a request for access to {e.organisation_ods_code}",
    ),
    Row(
        AccessGranted,
        subject=lambda e: e.request_id or "",
        closes=("access-to-review",),
        when=lambda e: e.request_id is not None,
    ),
    Row(
        AccessRequestRejected,
        subject=lambda e: e.request_id,
        creates="message",
        kind="access-rejected",
        audience=ToPerson(lambda e: e.user_id, lambda _: ""),
        title=lambda e: f"Your request for access to {e.organisation_ods_code} was rejected",
        closes=("access-to-review",),
    ),
    Row(
        ClaimAwaitingReview,
        subject=lambda e: f"{e.claim_id}:{e.step}",
        creates="task",
        kind="claim-to-review",
        audience=ToRole((), lambda e: e.commissioner_organisation_id, role_of=lambda e: e.role),
        title=lambda e: f"Review claim {e.claim_id} of {e.provider_organisation_id} ({e.step})",
    ),
    Row(
        ClaimApprovedAtStep,
        subject=lambda e: f"{e.claim_id}:{e.step}",
        closes=("claim-to-review",),
        when=lambda e: e.sign_offs_given >= e.sign_offs_needed,
    ),
    Row(
        ClaimRejected,
        subject=lambda e: f"{e.claim_id}:{e.step}",
        creates="message",
        kind="claim-rejected",
        audience=ToRole(CLAIM_PREPARERS, lambda e: e.provider_organisation_id),
        title=lambda e: f"Claim {e.claim_id} was rejected",
        closes=("claim-to-review",),
    ),
    Row(
        ClaimReturned,
        subject=lambda e: f"{e.claim_id}:{e.step or 'system'}",
        creates="message",
        kind="claim-returned",
        audience=ToRole(CLAIM_PREPARERS, lambda e: e.provider_organisation_id),
        title=lambda e: f"Claim {e.claim_id} was returned to you",
        closes=("claim-to-review",),
    ),
    Row(
        ClaimPaid,
        subject=lambda e: e.claim_id,
        creates="message",
        kind="claim-paid",
        audience=ToRole(CLAIM_PREPARERS, lambda e: e.provider_organisation_id),
        title=lambda e: f"Claim {e.claim_id} was paid",
    ),
    Row(
        PaymentBatchFlagged,
        subject=lambda e: e.batch_id,
        creates="task",
        kind="payment-batch-flagged",
        audience=ToRole(("Local Finance",), lambda e: e.commissioner_organisation_id),
        title=lambda e: f"Payment batch {e.batch_id} was not answered by the payment system",
    ),
    Row(
        DeclarationDeclared,
        subject=lambda e: e.declaration_id,
        creates="task",
        kind="declaration-to-approve",
        audience=ToRole(("Approval Management",), lambda e: e.provider_organisation_id),
        title=lambda e: f"Approve the declaration of {e.provider_organisation_id} for {e.quality_service_id}",
        when=lambda e: e.approval_required,
    ),
    Row(
        DeclarationApproved,
        subject=lambda e: e.declaration_id,
        creates="task",
        kind="declaration-to-finance-approve",
        audience=ToRole(("Finance Management",), lambda e: e.provider_organisation_id),
        title=lambda e: (
            f"Finance approve the declaration of {e.provider_organisation_id} for {e.quality_service_id}"
        ),
        closes=("declaration-to-approve",),
        when=lambda e: e.step == "commissioner",
    ),
    Row(
        DeclarationApproved,
        subject=lambda e: e.declaration_id,
        creates="message",
        kind="declaration-approved",
        audience=ToRole(("Declaration Management",), lambda e: e.provider_organisation_id),
        title=lambda e: f"Your declaration for {e.quality_service_id} was approved for payment",
        closes=("declaration-to-finance-approve",),
        when=lambda e: e.step == "finance",
    ),
    Row(
        DeclarationRecalculated,
        subject=lambda e: e.declaration_id,
        closes=("declaration-to-approve", "declaration-to-finance-approve"),
    ),
)


def rows_for(event: Event) -> list[Row]:
    """The rows that apply to this event (none: the Message Centre ignores it)."""
    return [row for row in ROWS if isinstance(event, row.event) and row.when(event)]


def routed_events() -> list[type[Event]]:
    """Every event type the table names, once each (the service subscribes to exactly these)."""
    seen: dict[type[Event], None] = {}
    for row in ROWS:
        seen.setdefault(row.event, None)
    return list(seen)


def task_kinds() -> set[str]:
    """Every kind of task some row creates."""
    return {row.kind for row in ROWS if row.creates == "task"}
