"""Settings of claims' CQRS Local part: the evidence bucket, the upload limit, the first Claim ID."""

from __future__ import annotations

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


def claims_settings(settings: ServiceSettings) -> ClaimsSettings:
    """The claims settings behind any service settings (the kit's app factory passes the base ones)."""
    if isinstance(settings, ClaimsSettings):
        return settings
    return ClaimsSettings(**settings.model_dump())
