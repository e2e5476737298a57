"""Fail closed: with clamd down an upload stays pending (no verdict, object untouched), and it is
scanned exactly once when clamd is back. Uses a clamd of its own, never the shared one."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cqrs_kit.testing import free_port
from cqrs_scanning import samples
from cqrs_scanning.clamd import Clamd
from cqrs_scanning.testing import scanning_service

pytestmark = [pytest.mark.integration, pytest.mark.faults]

CLAMD = Path("/usr/sbin/clamd")
SIGNATURES = Path(__file__).parents[4] / "deploy" / "local" / "clamav"


class OwnClamd:
    """A clamd process this test starts and stops, with the project's test signatures."""

    def __init__(self, home: Path) -> None:
        self.port = free_port()
        self.home = home
        database = home / "db"
        database.mkdir(parents=True)
        for signature in SIGNATURES.glob("*.ndb"):
            shutil.copy(signature, database / signature.name)
        user = "root" if os.geteuid() == 0 else os.environ.get("USER", "nobody")
        self.conf = home / "clamd.conf"
        self.conf.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"User {user}",
                    "TCPAddr 127.0.0.1",
                    f"TCPSocket {self.port}",
                    f"DatabaseDirectory {database}",
                    f"TemporaryDirectory {home}",
                    "StreamMaxLength 100M",
                    "SelfCheck 0",
                    "",
                ]
            )
        )
        self.process: subprocess.Popen[bytes] | None = None

    def launch(self) -> None:
        """Start the clamd process (returns at once)."""
        with (self.home / "clamd.log").open("ab") as log:
            self.process = subprocess.Popen(
                [str(CLAMD), f"--config-file={self.conf}"], stdout=log, stderr=subprocess.STDOUT
            )

    async def start(self) -> None:
        """Start clamd and wait until it answers PING."""
        self.launch()
        assert self.process is not None
        client = Clamd("127.0.0.1", self.port)
        deadline = time.monotonic() + 60
        while await client.ping() is not None:
            assert self.process.poll() is None, (self.home / "clamd.log").read_text()
            assert time.monotonic() < deadline, "clamd did not start"
            await asyncio.sleep(0.1)

    def stop(self) -> None:
        """Stop clamd and wait for it to exit."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


@pytest.fixture
def own_clamd(tmp_path: Path) -> Iterator[OwnClamd]:
    """A private clamd, stopped whatever the test does."""
    if not CLAMD.exists():
        pytest.fail(f"{CLAMD} is missing: `make up` installs clamav-daemon")
    clamd = OwnClamd(tmp_path / "clamd")
    yield clamd
    clamd.stop()


async def test_an_upload_waits_for_clamd_and_is_scanned_once_it_is_back(
    infra: dict[str, str], own_clamd: OwnClamd
) -> None:
    await own_clamd.start()
    async with scanning_service(clamd_address=f"127.0.0.1:{own_clamd.port}") as scanning:
        warm = await scanning.upload("before.pdf", samples.pdf(["Scanned while clamd is up"]))
        assert [s.verdict for s in await scanning.verdicts(warm)] == ["clean"]

        own_clamd.stop()
        upload = await scanning.upload("report.pdf", samples.pdf(["Care plans reviewed: 12"]))
        await asyncio.sleep(4)
        assert upload.attachment_id not in scanning.watcher.seen
        assert await scanning.record(upload.attachment_id) is None
        assert await scanning.tags(scanning.bucket, upload.object_key) == {}, "not pending"
        ready = await scanning.client.get("/api/scanning/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["clamd"] != "ok"

        await own_clamd.start()
        (scanned,) = await scanning.verdicts(upload, timeout=30)
        assert scanned.verdict == "clean"
        await asyncio.sleep(2)
        assert len(scanning.watcher.seen[upload.attachment_id]) == 1
        record = await scanning.record(upload.attachment_id)
        assert record is not None
        assert record.verdict == "clean"
