"""Attachment use cases: stream an upload into S3 and announce it, delete, serve clean files, and
follow the scanner's verdicts."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from cqrs_claims.attachments import domain
from cqrs_claims.attachments.domain import Attachment, AttachmentStatus
from cqrs_claims.attachments.objects import Objects
from cqrs_claims.claims.domain.claim import Action, Claim, ClaimRuleBroken, require
from cqrs_claims.claims.service import Claims
from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events import AttachmentUploaded, FileScanned
from cqrs_kit import clock
from cqrs_kit.auth import Principal
from cqrs_kit.errors import DomainError, NotFound, VersionConflict
from cqrs_kit.logs import get_logger

log = get_logger(__name__)


@dataclass
class Evidence:
    """Attachments of claims: the claims they belong to and the bucket their files live in."""

    claims: Claims

    @property
    def objects(self) -> Objects:
        """The evidence bucket."""
        return self.claims.objects

    async def _accepted(self, claim: Claim, component_id: str) -> list[str]:
        line = claim.line(component_id)
        if line is None:
            raise ClaimRuleBroken("the component is not in the claim", field="component_id")
        service = (await self.claims.services_by_version(claim)).get(
            (line.quality_service_id, line.service_version)
        )
        component = service.service.component(component_id) if service else None
        if component is None:
            raise ClaimRuleBroken("this service is no longer offered to you", field="component_id")
        return component.evidence.accepted_file_types if component.evidence else []

    async def upload(
        self,
        principal: Principal,
        claim: Claim,
        component_id: str,
        *,
        content_type: str,
        body: AsyncIterator[bytes],
        correlation_id: str,
    ) -> Attachment:
        """Stream one file into the bucket, then save the attachment with its AttachmentUploaded
        (the scanner's cue). A refused or failed upload leaves nothing behind."""
        require(claim.status, Action.ADD_ATTACHMENT)
        accepted = await self._accepted(claim, component_id)
        attachment_id = str(uuid.uuid4())
        key = f"{claim.provider_organisation_id}/{claim.claim_id}/{attachment_id}"

        def check(name: str, media_type: str) -> None:
            domain.check_file(name, media_type, accepted)

        received = await self.objects.receive(content_type, body, key, check)
        event = AttachmentUploaded(
            attachment_id=attachment_id,
            claim_id=claim.claim_id,
            provider_organisation_id=claim.provider_organisation_id,
            bucket=self.objects.bucket,
            object_key=key,
            file_name=received.file_name.replace("\\", "/").rsplit("/", 1)[-1],
            media_type=received.media_type,
            size_bytes=received.size_bytes,
            accepted_file_types=accepted,
            uploaded_at=clock.now(),
            component_id=component_id,
        )
        try:
            return await self.claims.attachments.aggregates.save(
                domain.apply(None, event), [event], correlation_id=correlation_id, actor=principal.user_id
            )
        except BaseException:
            await self.objects.delete(key)
            raise

    async def of(self, claim: Claim, attachment_id: str) -> Attachment:
        """One live attachment of the claim."""
        found = await self.claims.attachments.get(attachment_id)
        if found is None or found.claim_id != claim.claim_id or found.status is AttachmentStatus.DELETED:
            raise NotFound(f"no attachment {attachment_id} on claim {claim.claim_id}")
        return found

    async def delete(
        self, principal: Principal, claim: Claim, attachment_id: str, correlation_id: str
    ) -> None:
        """Delete an attachment while the claim is a Draft or Returned; its file goes too."""
        require(claim.status, Action.DELETE_ATTACHMENT)
        attachment = await self.of(claim, attachment_id)
        events = domain.delete(attachment, principal.user_id, clock.now())
        after = domain.apply(attachment, events[0])
        await self.claims.attachments.aggregates.save(
            after, events, correlation_id=correlation_id, actor=principal.user_id
        )
        await self.objects.delete(attachment.object_key)

    def download(self, attachment: Attachment) -> AsyncIterator[bytes]:
        """The file's bytes, only once it was scanned clean."""
        if not attachment.downloadable:
            status = attachment.status.value
            msg = f"{attachment.file_name} is {status}: only files scanned clean can be downloaded"
            raise DomainError(msg, field="attachment_id")
        return self.objects.stream(attachment.object_key)

    async def scanned(self, event: FileScanned, envelope: Envelope) -> None:
        """Record the verdict on the attachment, then see whether its claim can move on."""
        attachment = await self.claims.attachments.get(event.attachment_id)
        if attachment is None:
            log.info("verdict on an attachment claims does not hold", attachment_id=event.attachment_id)
            return
        events = domain.record_scan(attachment, event, envelope.id, clock.now())
        if events:
            try:
                await self.claims.attachments.aggregates.save(
                    domain.apply(attachment, events[0]),
                    events,
                    correlation_id=envelope.correlation_id,
                    actor="scanning",
                )
            except VersionConflict:
                log.info(
                    "attachment changed meanwhile (a repeat or a delete)",
                    attachment_id=attachment.attachment_id,
                )
        await self.claims.finish_system_review(
            attachment.claim_id, cause=envelope.id, correlation_id=envelope.correlation_id
        )
