"""Service settings validated at start-up, refusing development secrets anywhere but development."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Secrets that only the local stack may use; production must bring its own.
DEVELOPMENT_SECRETS = frozenset(
    {
        "cqrs-local-secret-not-for-production",
        "change-me",
        "",
    }
)


class InsecureSettingsError(ValueError):
    """A development default secret was configured outside development."""


class ServiceSettings(BaseSettings):
    """Everything a service reads from its environment (variables prefixed CQRS_)."""

    model_config = SettingsConfigDict(env_prefix="CQRS_", extra="ignore")

    service_name: str = "cqrs"
    environment: Literal["development", "test", "production"] = "development"
    kafka_bootstrap: str = "127.0.0.1:19092"
    mongo_url: str = "mongodb://127.0.0.1:27027/"
    mongo_database: str | None = None
    s3_endpoint: str = "http://127.0.0.1:18333"
    s3_access_key: str = "cqrs-local-access"
    s3_secret_key: str = "cqrs-local-secret-not-for-production"  # noqa: S105 - refused outside development
    clamd_address: str = "127.0.0.1:13310"
    smtp_address: str = "127.0.0.1:12525"
    mail_backend: Literal["smtp", "notify"] = "smtp"
    mail_from: str = "CQRS <no-reply@cqrs.local>"
    notify_api_key: str | None = None
    notify_template_id: str | None = None
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    jwks_url: str | None = None
    jwt_issuer: str = "cqrs-identity"
    jwt_audience: str = "cqrs"
    jwks_json: str | None = None  # a fixed JWKS document instead of jwks_url (tests trust their own key)
    jwks_min_interval_seconds: float = Field(default=5.0, ge=0)
    directory_cache_seconds: float = Field(default=5.0, ge=0)
    topic_partitions: int = Field(default=3, ge=1)
    relay_poll_seconds: float = Field(default=2.0, gt=0)
    relay_enabled: bool = True  # off for a replica that must not publish (and for crash tests)
    consumer_max_backoff_seconds: float = Field(default=10.0, gt=0)
    #: Every handler runs under this limit; a handler that overruns counts as a failed attempt.
    consumer_handler_timeout_seconds: float = Field(default=120.0, gt=0)
    #: A version conflict or an aggregate not known yet is retried this often, then dead-lettered.
    consumer_conflict_retries: int = Field(default=5, ge=0)
    #: An unexpected error is tried this often in all, then dead-lettered with the error.
    consumer_max_unexpected_attempts: int = Field(default=5, ge=1)
    #: At most this many records are taken in one fetch. A batch takes in further fetches as its
    #: handlers finish (up to 10 x this many records, or 5 s), then stores its effects and commits.
    consumer_batch_size: int = Field(default=100, ge=1)
    #: How many aggregates' records one consumer processes at once (each aggregate stays in order).
    consumer_concurrency: int = Field(default=16, ge=1)
    relay_batch_size: int = Field(default=1000, ge=1)
    #: Every MongoDB operation's time limit (a socket that stays silent this long fails the call).
    mongo_timeout_ms: int = Field(default=10_000, gt=0)
    log_json: bool | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    consumer_group: str | None = None
    #: OpenTelemetry traces (cqrs_kit.tracing): on with this, or with an OTLP endpoint configured.
    tracing: bool = False
    #: Base URL of an OTLP/HTTP collector (``/v1/traces`` is appended); OTEL_EXPORTER_OTLP_* also work.
    otlp_endpoint: str | None = None

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> ServiceSettings:
        if self.environment != "development":
            for name in self.secret_fields():
                if getattr(self, name) in DEVELOPMENT_SECRETS:
                    msg = (
                        f"CQRS_{name.upper()} is a development default; set a real secret "
                        f"for environment {self.environment!r}"
                    )
                    raise InsecureSettingsError(msg)
        if self.mail_backend == "notify" and not (self.notify_api_key and self.notify_template_id):
            msg = "CQRS_MAIL_BACKEND=notify needs CQRS_NOTIFY_API_KEY and CQRS_NOTIFY_TEMPLATE_ID"
            raise ValueError(msg)
        return self

    def secret_fields(self) -> tuple[str, ...]:
        """Fields that must not keep a development default outside development."""
        return ("s3_secret_key",)

    @property
    def database_name(self) -> str:
        """Each service owns its own database."""
        return self.mongo_database or f"cqrs_{self.service_name}"

    @property
    def group(self) -> str:
        """The explicit consumer group of this service (overridable so tests can isolate runs)."""
        return self.consumer_group or f"cqrs-{self.service_name}"

    @property
    def json_logs(self) -> bool:
        """JSON in production (and wherever asked), readable lines in development."""
        return self.log_json if self.log_json is not None else self.environment == "production"

    @property
    def smtp_host_port(self) -> tuple[str, int]:
        """The SMTP server's address split for a client."""
        host, port = self.smtp_address.rsplit(":", 1)
        return host, int(port)

    @property
    def clamd_host_port(self) -> tuple[str, int]:
        """clamd's address split for asyncio.open_connection."""
        host, port = self.clamd_address.rsplit(":", 1)
        return host, int(port)
