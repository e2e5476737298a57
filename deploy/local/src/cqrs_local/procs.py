"""Starting, watching and stopping the stack's processes through pid files in the state folder."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from cqrs_local.config import Layout
from cqrs_local.parts import Part


class StartError(RuntimeError):
    """A part did not become ready; names the part, the reason and its log file."""

    def __init__(self, part: str, reason: str, log: str) -> None:
        super().__init__(f"{part} failed to start: {reason}\n  log: {log}")
        self.part = part


def read_pid(layout: Layout, name: str) -> int | None:
    """The pid of a part if its pid file names a live process."""
    try:
        pid = int(layout.pid_file(name).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return None if _is_zombie(pid) else pid


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return False


@dataclass(frozen=True)
class Status:
    """What `status` prints for one part."""

    name: str
    ready: bool
    address: str
    pid: int | None
    log: str
    reason: str | None


async def status(layout: Layout, part: Part) -> Status:
    """Ask the part's process and its real endpoint."""
    pid = read_pid(layout, part.name)
    reason = await part.probe(layout) if pid else "not running"
    return Status(
        part.name,
        pid is not None and reason is None,
        part.address,
        pid,
        str(layout.log_file(part.name)),
        reason,
    )


def spawn(layout: Layout, part: Part) -> int:
    """Start the part in its own session (so `down` can stop its whole group) and record its pid."""
    argv = part.prepare(layout)
    layout.log_dir().mkdir(parents=True, exist_ok=True)
    layout.run_dir().mkdir(parents=True, exist_ok=True)
    workdir = layout.data_dir(part.name)
    workdir.mkdir(parents=True, exist_ok=True)
    log = layout.log_file(part.name).open("ab")
    log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(argv)}\n".encode())
    log.flush()
    process = subprocess.Popen(
        argv,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **part.env(layout)},
        start_new_session=True,
        cwd=workdir,
    )
    layout.pid_file(part.name).write_text(str(process.pid))
    return process.pid


async def wait_ready(layout: Layout, part: Part) -> None:
    """Poll the probe until it passes; fail fast if the process dies, or after the timeout."""
    deadline = time.monotonic() + part.start_timeout
    reason: str | None = "not probed"
    while time.monotonic() < deadline:
        if read_pid(layout, part.name) is None:
            raise StartError(part.name, f"process exited ({reason})", str(layout.log_file(part.name)))
        reason = await part.probe(layout)
        if reason is None:
            return
        await asyncio.sleep(0.3)
    raise StartError(
        part.name,
        f"not ready after {part.start_timeout:.0f}s: {reason}",
        str(layout.log_file(part.name)),
    )


def stop(layout: Layout, name: str, sig: signal.Signals = signal.SIGTERM, timeout: float = 20.0) -> bool:
    """Stop a part's process group: `sig`, then SIGKILL after the timeout. True if one was running."""
    pid = read_pid(layout, name)
    layout.pid_file(name).unlink(missing_ok=True)
    if pid is None:
        return False
    _signal_group(pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _group_alive(pid):
            return True
        time.sleep(0.1)
    _signal_group(pid, signal.SIGKILL)
    return True


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _group_alive(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().split(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False
