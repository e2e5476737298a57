"""Root pytest configuration: every test reaches the real servers through the launcher's variables."""

from __future__ import annotations

import pytest

from cqrs_kit.testing import endpoints


@pytest.fixture(scope="session")
def infra() -> dict[str, str]:
    """Endpoints of the real Kafka, FerretDB, SeaweedFS, clamd and SMTP servers (fails if absent)."""
    return endpoints()
