"""Kafka subscribers of the claims part: scan verdicts move attachments and claims on (thin)."""

from __future__ import annotations

from cqrs_claims.attachments.service import Evidence
from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events import FileScanned
from cqrs_kit.runtime import Runtime


def subscribe(runtime: Runtime, evidence: Evidence) -> None:
    """Every subscription of the claims part, listed in one place (the catalogue lists its own)."""

    @runtime.consumer.on(FileScanned)
    async def file_scanned(event: FileScanned, envelope: Envelope) -> None:
        """An attachment was scanned: Clean, Infected or Rejected; its claim may move on."""
        await evidence.scanned(event, envelope)
