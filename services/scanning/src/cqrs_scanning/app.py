"""Wiring of the scanning service: the AttachmentUploaded consumer, clamd, S3 and the outbox."""

from __future__ import annotations

from typing import Any

from cqrs_kit.app import Check, ServiceSpec, create_service_app
from cqrs_kit.metrics import metrics_of
from cqrs_kit.runtime import Runtime
from cqrs_scanning import handlers
from cqrs_scanning.clamd import Clamd
from cqrs_scanning.objects import Objects
from cqrs_scanning.service import Scanning
from cqrs_scanning.settings import ScanningSettings
from cqrs_scanning.store import INDEXES, SCANS, ScanStore

DESCRIPTION = "Anti-malware and content checks of attachments."


def build_spec(settings: ScanningSettings) -> ServiceSpec:
    """The service's spec; the quarantine bucket and clamd's address come from its settings."""
    host, port = settings.clamd_host_port
    clamd = Clamd(host, port, timeout=settings.scan_clamd_timeout_seconds)

    def subscribe(runtime: Runtime) -> None:
        assert runtime.s3 is not None  # buckets are declared, so the runtime has S3
        scanning = Scanning(
            settings=settings,
            store=ScanStore(runtime),
            scanner=clamd,
            objects=Objects(runtime.s3, settings.scan_quarantine_bucket),
        )
        runtime.extras["scanning"] = scanning
        handlers.subscribe(runtime, scanning)
        metrics_of(runtime).count_by("cqrs_scans", "Scan records by verdict.", SCANS, "verdict")

    async def on_start(runtime: Runtime) -> None:
        await scanning_of(runtime).objects.start()

    async def on_stop(runtime: Runtime) -> None:
        await scanning_of(runtime).objects.stop()

    def checks(runtime: Runtime) -> dict[str, Check]:
        return {"clamd": clamd.ping}

    return ServiceSpec(
        name="scanning",
        description=DESCRIPTION,
        indexes=INDEXES,
        outbox_collections=[SCANS],
        subscribe=subscribe,
        buckets=[settings.scan_quarantine_bucket],
        extra_checks=checks,
        on_start=on_start,
        on_stop=on_stop,
    )


def scanning_of(runtime: Runtime) -> Scanning:
    """The scanning use cases wired into a runtime."""
    scanning: Scanning = runtime.extras["scanning"]
    return scanning


def create_app(settings: ScanningSettings | None = None) -> Any:
    """The scanning ASGI app (uvicorn --factory)."""
    settings = settings or ScanningSettings()
    return create_service_app(build_spec(settings), settings)
