"""Fixtures of scanning's integration tests: a scanning service on the real stack."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cqrs_scanning.testing import Harness, scanning_service


@pytest.fixture(scope="module")
async def scanning(infra: dict[str, str]) -> AsyncIterator[Harness]:
    """A scanning service for one module's tests, with a 5 MB size limit to test it cheaply."""
    async with scanning_service(scan_max_file_bytes=5 * 1024 * 1024) as harness:
        yield harness
