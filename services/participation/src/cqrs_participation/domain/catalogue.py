"""The Quality Service catalogue: a commissioner drafts a service and publishes it as a version.

A published version never changes: editing a published service makes a draft of the next version,
and publishing that draft publishes the new version. The paycode is fixed once a version has been
published; so is the owning organisation. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from cqrs_contracts.events import QualityServicePublished
from cqrs_participation.domain.definition import ServiceDefinition, check_definition
from cqrs_participation.domain.errors import NotAllowedInStatus, RuleBroken


class QualityService(BaseModel):
    """A service in the catalogue: its published versions (oldest first) and a draft, if any."""

    quality_service_id: str
    version: int = 0
    owner: str
    based_on: str | None = None
    draft: ServiceDefinition | None = None
    published: list[ServiceDefinition] = Field(default_factory=list)
    published_version: int = 0
    service_name: str = ""
    financial_year: str = ""
    payment_type: str = ""
    created_by: str
    created_at: dt.datetime
    published_at: dt.datetime | None = None

    @property
    def current(self) -> ServiceDefinition | None:
        """The latest published definition, if any."""
        return self.published[-1] if self.published else None

    def version_of(self, number: int) -> ServiceDefinition | None:
        """One published version by number (1 is the first), if it exists."""
        return self.published[number - 1] if 1 <= number <= len(self.published) else None


def _summarised(service: QualityService) -> QualityService:
    """Copy the name, year and payment type users search by to the top (latest wins)."""
    latest = service.draft or service.current
    assert latest is not None
    return service.model_copy(
        update={
            "published_version": len(service.published),
            "service_name": latest.service_name,
            "financial_year": latest.financial_year,
            "payment_type": latest.payment_type,
        }
    )


def define(
    quality_service_id: str,
    definition: ServiceDefinition,
    *,
    actor: str,
    now: dt.datetime,
    based_on: str | None = None,
) -> QualityService:
    """Start a new service as a draft owned by the definition's commissioner."""
    service = QualityService(
        quality_service_id=quality_service_id,
        owner=definition.commissioner_organisation_id,
        based_on=based_on,
        draft=check_definition(definition),
        created_by=actor,
        created_at=now,
    )
    return _summarised(service)


def edit(service: QualityService, definition: ServiceDefinition) -> QualityService:
    """Replace the draft (making one for the next version when the service is published)."""
    check_definition(definition)
    if definition.commissioner_organisation_id != service.owner:
        msg = f"a service stays with its commissioner {service.owner}; define a new service instead"
        raise RuleBroken(msg, field="commissioner_organisation_id")
    current = service.current
    if current is not None and definition.paycode != current.paycode:
        msg = f"the paycode cannot change once published (it is {current.paycode})"
        raise RuleBroken(msg, field="paycode")
    return _summarised(service.model_copy(update={"draft": definition}))


def discard_draft(service: QualityService) -> QualityService:
    """Throw the draft away; published versions stay as they are."""
    if service.draft is None:
        msg = "there is no draft to discard; published versions cannot be changed or deleted"
        raise NotAllowedInStatus(msg)
    return _summarised(service.model_copy(update={"draft": None}))


def publish(
    service: QualityService, *, actor: str, now: dt.datetime
) -> tuple[QualityService, list[QualityServicePublished]]:
    """Publish the draft as the next version; it can then be offered and never changes."""
    draft = service.draft
    if draft is None:
        msg = "there is no draft to publish; edit the service to make a draft of a new version"
        raise NotAllowedInStatus(msg)
    number = service.published_version + 1
    event = QualityServicePublished(
        quality_service_id=service.quality_service_id,
        service_version=number,
        national=draft.national,
        published_by=actor,
        published_at=now,
        **draft.model_dump(),
    )
    state = _summarised(
        service.model_copy(
            update={"draft": None, "published": [*service.published, draft], "published_at": now}
        )
    )
    return state, [event]
