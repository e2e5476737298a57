"""Where attachments are kept: one aggregate per attachment, found by claim."""

from __future__ import annotations

from cqrs_claims.attachments.domain import Attachment, AttachmentStatus
from cqrs_kit.aggregates import Aggregates
from cqrs_kit.mongo import Index
from cqrs_kit.runtime import Runtime

ATTACHMENTS = "attachments"
INDEXES = [Index(ATTACHMENTS, ["claim_id"])]


class AttachmentStore:
    """Attachments saved with their events."""

    def __init__(self, runtime: Runtime) -> None:
        self.aggregates: Aggregates[Attachment] = Aggregates(
            runtime, ATTACHMENTS, Attachment, "attachment_id"
        )

    async def get(self, attachment_id: str) -> Attachment | None:
        """One attachment, or None."""
        return await self.aggregates.get(attachment_id)

    async def of_claim(self, claim_id: str) -> list[Attachment]:
        """The claim's attachments that were not deleted, oldest first, in their latest state."""
        found = await self.aggregates.find({"claim_id": claim_id})
        latest = [await self.aggregates.get(a.attachment_id) or a for a in found]
        live = [a for a in latest if a.status is not AttachmentStatus.DELETED]
        return sorted(live, key=lambda a: a.uploaded_at)
