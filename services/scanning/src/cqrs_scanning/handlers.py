"""Kafka subscribers of scanning: every upload is scanned once (thin; the work is in service)."""

from __future__ import annotations

from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events import AttachmentUploaded
from cqrs_kit.runtime import Runtime
from cqrs_scanning import service


def subscribe(runtime: Runtime, scanning: service.Scanning) -> None:
    """Every subscription of this service, listed in one place."""

    @runtime.consumer.on(AttachmentUploaded)
    async def attachment_uploaded(event: AttachmentUploaded, envelope: Envelope) -> None:
        """An evidence file was uploaded: check it and publish FileScanned."""
        await service.scan_attachment(scanning, event, envelope)
