"""Settings of claims' CQRS Local part: the evidence bucket, the upload limit, the first Claim ID."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from cqrs_kit.settings import ServiceSettings

_MIB = 1024 * 1024


class ClaimsSettings(ServiceSettings):
    """Read from CQRS_CLAIMS_* variables (and the kit's CQRS_* ones)."""

    service_name: str = "claims"
    #: Scanning reads uploads from this bucket (its CQRS_SCAN_UPLOAD_BUCKETS must list it).
    claims_attachment_bucket: str = Field(default="cqrs-attachments", min_length=3, max_length=63)
    #: Larger files are refused while they stream in (scanning refuses over 20 MiB too).
    claims_max_attachment_bytes: int = Field(default=20 * _MIB, gt=0)
    #: Claim IDs count up from here.
    claims_first_claim_id: int = Field(default=10001, ge=1)
    #: CL2: when the day's payment batch goes to the payment system (local time of the zone below).
    claims_payment_batch_time: dt.time = dt.time(15, 0)
    claims_payment_timezone: str = "Europe/London"
    #: CL2: a batch unanswered this long is re-sent, at most this many times, then flagged.
    claims_payment_answer_hours: float = Field(default=18, gt=0)
    claims_payment_max_resends: int = Field(default=3, ge=0)
    #: CL2: how often the batch clock looks whether a batch is due (0 turns it off, as tests do).
    claims_payment_tick_seconds: float = Field(default=30, ge=0)
    #: CL2: answer every payment batch in-process as the payment system would (development and demos).
    claims_payment_simulator: bool = False


def claims_settings(settings: ServiceSettings) -> ClaimsSettings:
    """The claims settings behind any service settings (the kit's app factory passes the base ones)."""
    if isinstance(settings, ClaimsSettings):
        return settings
    return ClaimsSettings(**settings.model_dump())
