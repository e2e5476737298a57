"""Settings refuse development secrets outside development."""

import pytest
from pydantic import ValidationError

from cqrs_kit.settings import ServiceSettings


@pytest.mark.parametrize("environment", ["test", "production"])
def test_default_secret_is_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="CQRS_S3_SECRET_KEY is a development default"):
        ServiceSettings(service_name="claims", environment=environment)  # type: ignore[arg-type]


def test_default_secret_is_accepted_in_development() -> None:
    settings = ServiceSettings(service_name="claims", environment="development")
    assert settings.database_name == "cqrs_claims"
    assert settings.group == "cqrs-claims"
    assert settings.json_logs is False


def test_production_with_real_secret_starts_and_logs_json() -> None:
    settings = ServiceSettings(service_name="claims", environment="production", s3_secret_key="s3cr3t-real")
    assert settings.json_logs is True


def test_settings_read_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CQRS_KAFKA_BOOTSTRAP", "kafka:9092")
    monkeypatch.setenv("CQRS_CLAMD_ADDRESS", "clamd:3310")
    settings = ServiceSettings(service_name="scanning")
    assert settings.kafka_bootstrap == "kafka:9092"
    assert settings.clamd_host_port == ("clamd", 3310)
