"""The portal's settings, read from CQRS_ environment variables like every service's."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

STATIC = Path(__file__).resolve().parent / "static"


class PortalSettings(BaseSettings):
    """Where the gateway and the session store are, and how long a session lasts."""

    model_config = SettingsConfigDict(env_prefix="CQRS_", extra="ignore")

    gateway_url: str = Field(description="base URL of the gateway the portal calls the services through")
    mongo_url: str = Field(description="MongoDB holding the portal's own sessions")
    portal_database: str = "cqrs_portal"
    portal_session_minutes: int = Field(default=480, ge=5, le=24 * 60)
    portal_static_dir: Path = STATIC
    environment: str = "production"
    gateway_timeout_seconds: float = 15.0
