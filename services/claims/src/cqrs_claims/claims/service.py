"""Claims use cases: load, check who may, decide, save with the events; and the scan results."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from cqrs_claims.attachments import domain as attachment_rules
from cqrs_claims.attachments.domain import Attachment
from cqrs_claims.attachments.objects import Objects
from cqrs_claims.attachments.store import AttachmentStore
from cqrs_claims.catalogue.domain import ClaimableService
from cqrs_claims.catalogue.store import CatalogueStore
from cqrs_claims.claims import authz, views
from cqrs_claims.claims.domain import building, submission
from cqrs_claims.claims.domain.claim import Claim, fold
from cqrs_claims.claims.domain.pane import PaneService, services_pane, window_states
from cqrs_claims.claims.domain.windows import (
    NewClaimAvailability,
    WindowState,
    london_today,
    new_claim_availability,
)
from cqrs_claims.claims.store import ClaimStore
from cqrs_contracts.events import Event
from cqrs_kit import clock
from cqrs_kit.auth import Principal
from cqrs_kit.errors import NotFound, VersionConflict
from cqrs_kit.logs import get_logger
from cqrs_kit.runtime import Runtime

log = get_logger(__name__)
Decide = Callable[[Claim], list[Event]]
#: How often a consumer reloads and decides again when a user's save got in first.
_CONFLICT_RETRIES = 10


@dataclass
class Claims:
    """The claims part of the service, wired once per process."""

    runtime: Runtime
    store: ClaimStore
    catalogue: CatalogueStore
    attachments: AttachmentStore
    objects: Objects
    #: CL2: events that follow the system review's in the same save (the review flow's first step).
    after_system_review: Callable[[Claim, list[Event]], Awaitable[list[Event]]] | None = None

    async def _claimable(self, providers: Sequence[str]) -> list[ClaimableService]:
        return await self.catalogue.claimable(providers)

    async def availability(
        self, principal: Principal, provider: str
    ) -> tuple[NewClaimAvailability, list[tuple[ClaimableService, WindowState]]]:
        """Whether +New Claim is shown to this provider now, and each service's window state."""
        await self.runtime.directory.require(
            principal, authz.PROVIDER_VIEWERS, provider, field="provider_organisation_id"
        )
        services = await self._claimable([provider])
        states = window_states(services, await self.store.taken([provider]), london_today(clock.now()))
        return new_claim_availability(s for _, s in states), list(states)

    async def new_claim(self, principal: Principal, command: building.NewClaim, correlation_id: str) -> Claim:
        """+New Claim: a Draft with the next Claim ID, if the windows allow one."""
        provider = command.provider_organisation_id
        await authz.require_preparer(self.runtime.directory, principal, provider)
        services = await self._claimable([provider])
        taken = await self.store.taken([provider])
        now = clock.now()
        # Decide before taking an ID, so a refusal uses no Claim ID.
        building.draft("0", command, services, taken, london_today(now), actor=principal.user_id, now=now)
        claim_id = await self.store.next_claim_id()
        events = building.draft(
            claim_id, command, services, taken, london_today(now), actor=principal.user_id, now=now
        )
        state = fold(None, events)
        return await self.store.save(
            None, state, events, correlation_id=correlation_id, actor=principal.user_id
        )

    async def visible(self, principal: Principal, claim_id: str) -> Claim:
        """A claim the caller may see (404 otherwise, and for deleted drafts)."""
        claim = await self.store.get(claim_id)
        if claim is None:
            raise NotFound(f"no claim {claim_id}")
        await authz.require_view(self.runtime.directory, principal, claim)
        return claim

    async def prepared(self, principal: Principal, claim_id: str) -> Claim:
        """A claim the caller may change."""
        claim = await self.visible(principal, claim_id)
        await authz.require_preparer(self.runtime.directory, principal, claim.provider_organisation_id)
        return claim

    async def pane(self, claim: Claim) -> list[PaneService]:
        """The services pane of a claim: what it may take now."""
        provider = claim.provider_organisation_id
        services = await self._claimable([provider])
        taken = await self.store.taken([provider], but=claim.claim_id)
        return services_pane(claim, services, taken, london_today(clock.now()))

    async def services_by_version(self, claim: Claim) -> dict[tuple[str, int], ClaimableService]:
        """The claimable services behind the claim's lines, by (service id, version)."""
        offers = {s.quality_service_id: s for s in await self._claimable([claim.provider_organisation_id])}
        keys = [(line.quality_service_id, line.service_version) for line in claim.lines]
        return {
            key: offers[key[0]].model_copy(update={"service": version})
            for key, version in (await self.catalogue.versions(keys)).items()
            if key[0] in offers
        }

    async def change(
        self, principal: Principal, claim: Claim, events: list[Event], correlation_id: str
    ) -> Claim:
        """Save what a decision returned (nothing to save leaves the claim as it is)."""
        if not events:
            return claim
        return await self.store.save(
            claim, fold(claim, events), events, correlation_id=correlation_id, actor=principal.user_id
        )

    async def submit(
        self, principal: Principal, claim: Claim, command: submission.Submit, correlation_id: str
    ) -> Claim:
        """Submit (or send for approval): everything checked at once; nothing stored on refusal."""
        events = await self._followed(claim, await self._submitted(principal, claim, command))
        saved = await self.change(principal, claim, events, correlation_id)
        # A scan may have finished between reading the attachments and saving: look once more.
        await self.finish_system_review(saved.claim_id, cause=None, correlation_id=correlation_id)
        return await self.store.get(saved.claim_id) or saved

    async def check_submit(self, principal: Principal, claim: Claim, command: submission.Submit) -> Claim:
        """Every check of Submit without submitting: the claim as Submit would leave it (its units,
        line totals, total and the status it would take); nothing stored. Refusals as Submit's."""
        return fold(claim, await self._submitted(principal, claim, command))

    async def _submitted(self, principal: Principal, claim: Claim, command: submission.Submit) -> list[Event]:
        approval = await authz.needs_provider_approval(self.runtime.directory, principal, claim)
        now = clock.now()
        return submission.submit(
            claim,
            command,
            await self.services_by_version(claim),
            await self.attachments.of_claim(claim.claim_id),
            london_today(now),
            needs_provider_approval=approval,
            actor=principal.user_id,
            now=now,
        )

    async def finish_system_review(
        self, claim_id: str, *, cause: str | None, correlation_id: str | None
    ) -> None:
        """Move a claim Pending System Review on once its attachments are all scanned (idempotent)."""
        for _ in range(_CONFLICT_RETRIES):
            claim = await self.store.get(claim_id)
            if claim is None:
                return
            events = submission.finish_system_review(
                claim, await self.attachments.of_claim(claim_id), clock.now()
            )
            if not events:
                return
            events = await self._followed(claim, events)
            try:
                await self.store.save(
                    claim, fold(claim, events), events, correlation_id=correlation_id, actor=submission.SYSTEM
                )
            except VersionConflict:
                continue
            log.info(
                "system review finished", claim_id=claim_id, outcome=type(events[0]).__name__, cause=cause
            )
            return
        msg = f"claim {claim_id} kept changing while its system review finished"
        raise VersionConflict(msg)

    async def _followed(self, claim: Claim, events: list[Event]) -> list[Event]:
        """CL2: the events with what follows them in the same save (a clean claim enters review)."""
        if self.after_system_review is None or not events:
            return events
        return [*events, *await self.after_system_review(claim, events)]

    async def delete(self, principal: Principal, claim: Claim, correlation_id: str) -> None:
        """Delete a Draft and its attachments (their files are removed from the bucket)."""
        now = clock.now()
        events = building.delete(claim, principal.user_id, now)
        files = await self.attachments.of_claim(claim.claim_id)
        await self.change(principal, claim, events, correlation_id)
        for attachment in files:
            removed = attachment_rules.delete(attachment, principal.user_id, now)
            await self.attachments.aggregates.save(
                attachment_rules.apply(attachment, removed[0]),
                removed,
                correlation_id=correlation_id,
                actor=principal.user_id,
            )
            await self.objects.delete(attachment.object_key)

    async def history(self, claim: Claim) -> list[views.HistoryEntry]:
        """Every event of the claim and of its attachments, oldest first, with who and when."""
        ids = [a.attachment_id for a in await self.attachments.aggregates.find({"claim_id": claim.claim_id})]
        commits = await self.store.aggregates.history(claim.claim_id)
        for attachment_id in ids:
            commits += await self.attachments.aggregates.history(attachment_id)
        entries = [
            views.HistoryEntry(
                event=e.type.split(".")[-2],
                actor=c.actor,
                actor_name=c.actor_name,
                at=c.created_at,
                data=e.data,
            )
            for c in commits
            for e in c.events
        ]
        return sorted(entries, key=lambda e: e.at)

    async def attachments_of(self, claim: Claim) -> list[Attachment]:
        """The claim's attachments, not deleted."""
        return await self.attachments.of_claim(claim.claim_id)


def new_attachment_id() -> str:
    """A fresh attachment id."""
    return str(uuid.uuid4())
