"""Is every service up? Ready, version and consumer lag, the first look at 3 a.m."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from cqrs_ops.kafka import Lag, consumer_lag, groups

SERVICES = ("identity", "participation", "claims", "scanning", "notifications")


@dataclass(frozen=True)
class ServiceStatus:
    """What a service says about itself."""

    name: str
    alive: bool
    ready: bool
    version: str
    detail: str


async def service_status(client: httpx.AsyncClient, base_url: str, name: str) -> ServiceStatus:
    """Ask /healthz and /readyz of one service (through the gateway or directly)."""
    root = f"{base_url.rstrip('/')}/api/{name}"
    try:
        health = await client.get(f"{root}/healthz")
        ready = await client.get(f"{root}/readyz")
    except httpx.HTTPError as exc:
        return ServiceStatus(name, alive=False, ready=False, version="?", detail=exc.__class__.__name__)
    version = health.json().get("version", "?") if health.status_code == 200 else "?"
    checks = (
        ready.json().get("checks", {})
        if ready.headers.get("content-type", "").startswith("application/json")
        else {}
    )
    failing = ", ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok")
    return ServiceStatus(
        name,
        alive=health.status_code == 200,
        ready=ready.status_code == 200,
        version=str(version),
        detail=failing or ("" if ready.status_code == 200 else f"HTTP {ready.status_code}"),
    )


async def statuses(base_url: str, names: tuple[str, ...] = SERVICES) -> list[ServiceStatus]:
    """Every service's status, asked at once."""
    async with httpx.AsyncClient(timeout=5) as client:
        return list(await asyncio.gather(*(service_status(client, base_url, n) for n in names)))


async def lags(bootstrap: str, group_prefix: str = "cqrs-") -> list[Lag]:
    """Consumer lag of every group whose id starts with the prefix (the services' are cqrs-<name>)."""
    return await consumer_lag(bootstrap, await groups(bootstrap, group_prefix))
