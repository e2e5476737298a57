"""Identity's own settings on top of the shared ones (variables prefixed CQRS_IDENTITY_)."""

from __future__ import annotations

from pydantic import Field

from cqrs_kit.runtime import Runtime
from cqrs_kit.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    """Token lifetimes, link lifetimes and where links point, validated at start-up."""

    service_name: str = "identity"
    identity_public_url: str = "http://127.0.0.1:8080"
    identity_access_token_seconds: int = Field(default=300, ge=30, le=3600)
    identity_refresh_token_seconds: int = Field(default=12 * 3600, ge=60)
    identity_link_hours: int = Field(default=72, ge=1, le=24 * 14)
    identity_signing_key: str | None = None
    identity_previous_signing_key: str | None = None  # still published, so its tokens stay valid

    def secret_fields(self) -> tuple[str, ...]:
        """The signing key is a secret too (when given; otherwise one is made and kept)."""
        return (
            *super().secret_fields(),
            *(("identity_signing_key",) if self.identity_signing_key is not None else ()),
            *(("identity_previous_signing_key",) if self.identity_previous_signing_key is not None else ()),
        )


def identity_settings(settings: ServiceSettings) -> IdentitySettings:
    """The identity settings, upgrading plain service settings (tests build those)."""
    if isinstance(settings, IdentitySettings):
        return settings
    return IdentitySettings.model_validate(settings.model_dump())


def of(runtime: Runtime) -> IdentitySettings:
    """The identity settings of a running service."""
    return identity_settings(runtime.settings)
