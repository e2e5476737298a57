"""Events published by the anti-malware scanning service."""

from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from cqrs_contracts import topics
from cqrs_contracts.events.base import Event
from cqrs_contracts.values import Id, Text, UtcDatetime


class FileScanned(Event):
    """An evidence attachment was checked for malware and found clean, infected or unacceptable.

    ``reasons`` are written for the provider, saying what to do (e.g. "Save the file as PDF and
    upload it again"); ``signature`` names the malware found when the verdict is ``infected``.
    """

    service: ClassVar[str] = "scanning"
    version: ClassVar[int] = 1
    topic: ClassVar[str] = topics.SCANNING_SCAN

    attachment_id: Id
    claim_id: Id
    verdict: Literal["clean", "infected", "rejected"]
    reasons: list[Text] = Field(default_factory=list)
    signature: Text | None = None
    engine_version: Text
    signature_version: Text
    scanned_at: UtcDatetime

    def aggregate_id(self) -> str:
        """Key by attachment, the thing that was scanned, as its upload event is."""
        return self.attachment_id

    @model_validator(mode="after")
    def _verdict_is_explained(self) -> Self:
        """Keep verdict, reasons and signature consistent, so a provider is never left guessing."""
        if self.verdict == "infected" and self.signature is None:
            msg = "an infected verdict must name the signature found"
            raise ValueError(msg)
        if self.verdict != "infected" and self.signature is not None:
            msg = "only an infected verdict carries a signature"
            raise ValueError(msg)
        if self.verdict == "clean" and self.reasons:
            msg = "a clean verdict carries no reasons"
            raise ValueError(msg)
        if self.verdict == "rejected" and not self.reasons:
            msg = "a rejected verdict must give the provider at least one reason"
            raise ValueError(msg)
        return self
