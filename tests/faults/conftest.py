"""Fault tests run participation and notifications as real processes that can be killed."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from cqrs_kit.testing import ServiceProcess, free_port, isolated_settings, skip_all_history
from cqrs_notifications.app import create_app as notifications_app


@pytest.fixture(scope="module")
def logs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the service processes write their logs (named in failures)."""
    return tmp_path_factory.mktemp("fault-logs")


@pytest.fixture(scope="module")
async def notifications(infra: dict[str, str], logs_dir: Path) -> AsyncIterator[ServiceProcess]:
    """A notifications process with its own database and consumer group."""
    settings = isolated_settings("notifications")
    await skip_all_history(notifications_app(settings))  # built only to learn its topics
    process = ServiceProcess("cqrs_notifications.app", settings, free_port(), logs_dir / "notifications.log")
    process.start()
    await process.wait_ready()
    yield process
    process.stop()


@pytest.fixture
def participation(infra: dict[str, str], logs_dir: Path) -> Iterator[ServiceProcess]:
    """A participation process (not started: each test starts it the way it needs); its Directory
    is read afresh on every request, so providers seeded by make_offer are known at once."""
    process = ServiceProcess(
        "cqrs_participation.app",
        isolated_settings("participation", directory_cache_seconds=0),
        free_port(),
        logs_dir / "participation.log",
    )
    yield process
    process.stop()
