"""Who gets what: every event the Message Centre reacts to, in one table.

| event | creates | for (role) | at | template | closes (same subject) |
|---|---|---|---|---|---|
| OfferMade | task | Service Management | provider | offer-to-answer | |
| OfferReissued | task | Service Management | provider | offer-to-answer | |
| OfferAccepted | nothing (the guide: no notification) | | | | offer-to-answer |
| OfferRejected | message | Commissioning Management | commissioner | offer-rejected | offer-to-answer |
| OfferWithdrawn | message | Service Management | provider | offer-withdrawn | offer-to-answer |
| OfferCancelled | message | Service Management | provider | offer-cancelled | |
| UserRegistered | task | user administrators | organisation asked for | registration-to-review | |
| RegistrationApproved | message | the person | | registration-approved | registration-to-review |
| RegistrationRejected | message | the person | | registration-rejected | registration-to-review |
| AccessRequested | task | user administrators | organisation asked for | access-to-review | |
| AccessGranted (answering a request) | nothing | | | | access-to-review |
| AccessRequestRejected | message | the person | | access-rejected | access-to-review |
| ClaimSubmitted | task | Local Approver Tier 1 | commissioner | claim-to-review | |
| DeclarationApproved | message | Declaration Management | provider | declaration-approved | declaration-* |

A task opened later than a closure of its subject stays open (a reissued offer asks again).
A task is closed by the first event that does what it asks, whoever did it; a closing event that
arrives before the task it closes is remembered by subject, so the task is born closed.
Identity sends the mails that carry links or secrets itself; these messages never carry them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from cqrs_contracts.events import (
    ClaimSubmitted,
    DeclarationApproved,
    Event,
    OfferAccepted,
    OfferCancelled,
    OfferMade,
    OfferReissued,
    OfferRejected,
    OfferWithdrawn,
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


@dataclass(frozen=True)
class ToRole:
    """Everyone holding one of these roles with authority over the organisation the event names."""

    roles: tuple[str, ...]
    organisation: Callable[[Any], str]
    payment_type: Callable[[Any], str | None] = lambda _: None


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
        creates="message",
        kind="registration-approved",
        audience=ToPerson(lambda e: e.user_id, lambda e: e.email),
        title=lambda e: f"Your registration at {e.organisation_ods_code} was approved",
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
        ClaimSubmitted,
        subject=lambda e: e.claim_id,
        creates="task",
        kind="claim-to-review",
        audience=ToRole(("Local Approver Tier 1",), lambda e: e.commissioner_organisation_id),
        title=lambda e: f"Review the claim of {e.provider_organisation_id}",
    ),
    Row(
        DeclarationApproved,
        subject=lambda e: e.declaration_id,
        creates="message",
        kind="declaration-approved",
        audience=ToRole(("Declaration Management",), lambda e: e.provider_organisation_id),
        title=lambda e: f"Your declaration for Quality Service {e.quality_service_id} was approved",
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
