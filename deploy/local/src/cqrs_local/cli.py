"""`cqrs-local up|down|status|logs|env|install`: the operator's handle on the native local stack."""

from __future__ import annotations

import argparse
import asyncio
import logging
import shlex
import signal
import subprocess
import sys
import time

from cqrs_local import install, probes, procs
from cqrs_local.config import HOST, Layout
from cqrs_local.install import InstallError
from cqrs_local.parts import Part, infrastructure, services


async def _up(layout: Layout, parts: list[Part]) -> None:
    """Start the parts wave by wave; a wave's parts start together and are all ready before the next."""
    for wave in sorted({p.wave for p in parts}):
        await _up_wave(layout, [p for p in parts if p.wave == wave])


async def _up_wave(layout: Layout, parts: list[Part]) -> None:
    """Start every part that is not already running and ready, then wait for all of them."""
    pending: list[Part] = []
    for part in parts:
        if procs.read_pid(layout, part.name) is not None:
            if await part.probe(layout) is None:
                print(f"{part.name:<14} already running", flush=True)
                continue
            procs.stop(layout, part.name, part.stop_signal)
        host, port = part.address.rsplit(":", 1)
        if probes.port_in_use(host, int(port)):
            raise procs.StartError(
                part.name,
                f"{part.address} is already in use by another process",
                str(layout.log_file(part.name)),
            )
        procs.spawn(layout, part)
        pending.append(part)
    started = time.monotonic()
    results = await asyncio.gather(*(procs.wait_ready(layout, p) for p in pending), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        for failure in failures:
            print(f"error: {failure}", file=sys.stderr)
        raise failures[0]
    for part in pending:
        print(f"{part.name:<14} ready on {part.address}", flush=True)
    if pending:
        print(f"ready in {time.monotonic() - started:.1f}s", flush=True)


def _print_status(layout: Layout, parts: list[Part]) -> int:
    rows = asyncio.run(_statuses(layout, parts))
    for row in rows:
        state = "ready" if row.ready else "NOT READY"
        pid = str(row.pid) if row.pid else "-"
        reason = "" if row.ready or row.reason is None else f"  ({row.reason})"
        print(f"{row.name:<14} {state:<10} {row.address:<16} pid {pid:<8} {row.log}{reason}")
    return 0 if all(r.ready for r in rows if r.pid or r.name in _infra_names(layout)) else 1


def _infra_names(layout: Layout) -> set[str]:
    return {p.name for p in infrastructure(layout)}


async def _statuses(layout: Layout, parts: list[Part]) -> list[procs.Status]:
    return list(await asyncio.gather(*(procs.status(layout, p) for p in parts)))


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0911, PLR0912 - one return and branch per command
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(prog="cqrs-local", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="install what is missing and start the infrastructure")
    up.add_argument("--services", action="store_true", help="also start the five services")
    sub.add_parser("down", help="stop everything the launcher started")
    sub.add_parser("status", help="one line per part: name, ready, address, pid, log")
    logs = sub.add_parser("logs", help="print (or follow) a part's log")
    logs.add_argument("part", nargs="?", help="part name; all when omitted")
    logs.add_argument("-f", "--follow", action="store_true")
    sub.add_parser("env", help="print endpoints as shell export lines")
    setup = sub.add_parser("install", help="build the portal's assets (and the test browser) when missing")
    setup.add_argument("--browser", action="store_true", help="also Debian's chromium-headless-shell")
    args = parser.parse_args(argv)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # probes fail by design until ready
    layout = Layout.from_env()
    every = infrastructure(layout) + services(layout)
    if args.command == "up":
        try:
            install.portal_assets(layout)
            asyncio.run(_up(layout, infrastructure(layout)))
            if args.services:
                asyncio.run(_up(layout, services(layout)))
        except (procs.StartError, InstallError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.command == "down":
        for part in reversed(every):
            if procs.stop(layout, part.name, part.stop_signal):
                print(f"{part.name:<14} stopped")
        if procs.stop(layout, "postgres", signal.SIGINT):  # left from a run with the other backend
            print(f"{'postgres':<14} stopped")
        return 0
    if args.command == "install":
        try:
            print(f"portal assets in {install.portal_assets(layout)}")
            if args.browser:
                print(f"browser for the portal's tests: {install.chromium_headless_shell()}")
        except InstallError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.command == "status":
        return _print_status(layout, every)
    if args.command == "logs":
        names = [args.part] if args.part else [p.name for p in every]
        files = [str(layout.log_file(n)) for n in names if layout.log_file(n).exists()]
        if not files:
            print("no logs yet", file=sys.stderr)
            return 1
        return subprocess.call(["tail", "-n", "200", *(["-F"] if args.follow else []), *files])
    for key, value in layout.endpoints().items():
        print(f"export {key}={shlex.quote(value)}")
    print(f"export CQRS_HOST={HOST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
