"""Readiness probes: each asks the real server a real question and returns None or the reason."""

from __future__ import annotations

import asyncio
import smtplib
import socket
from pathlib import Path

import httpx
from aiokafka import AIOKafkaClient
from pymongo import AsyncMongoClient


async def kafka(bootstrap: str) -> str | None:
    """Ready when the broker answers a metadata request."""
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await client.bootstrap()
        metadata = await client.fetch_all_metadata()
        return None if metadata.brokers() else "metadata has no brokers yet"
    except Exception as exc:
        return f"metadata request failed: {exc!r}"
    finally:
        await client.close()


async def mongo(url: str) -> str | None:
    """Ready when the server answers `ping`."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(url, serverSelectionTimeoutMS=2000)
    try:
        reply = await client.admin.command("ping")
        return None if reply.get("ok") == 1 else f"ping answered {reply!r}"
    except Exception as exc:
        return f"ping failed: {exc!r}"
    finally:
        await client.close()


async def s3(endpoint: str, access_key: str, secret_key: str) -> str | None:
    """Ready when a SigV4-signed ListBuckets is answered."""
    import aioboto3  # noqa: PLC0415 - heavy import, only needed here

    session = aioboto3.Session()
    try:
        async with session.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name="us-east-1",
        ) as c:
            await c.list_buckets()
            return None
    except Exception as exc:
        return f"signed ListBuckets failed: {exc!r}"


async def clamd(host: str, port: int) -> str | None:
    """Ready when clamd answers PING with PONG."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
    except (OSError, TimeoutError) as exc:
        return f"connect failed: {exc!r}"
    try:
        writer.write(b"zPING\0")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(64), 2)
        return None if answer.rstrip(b"\0\n") == b"PONG" else f"PING answered {answer!r}"
    except (OSError, TimeoutError) as exc:
        return f"PING failed: {exc!r}"
    finally:
        writer.close()


def _ehlo(host: str, port: int) -> str | None:
    try:
        with smtplib.SMTP(host, port, timeout=2) as smtp:
            code, _ = smtp.ehlo()
            return None if code == 250 else f"EHLO answered {code}"
    except (OSError, smtplib.SMTPException) as exc:
        return f"EHLO failed: {exc!r}"


async def smtp(host: str, port: int) -> str | None:
    """Ready when the server answers EHLO with 250."""
    return await asyncio.to_thread(_ehlo, host, port)


async def http_ok(url: str) -> str | None:
    """Ready when the URL answers 200."""
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            response = await client.get(url)
        return None if response.status_code == 200 else f"GET {url} answered {response.status_code}"
    except httpx.HTTPError as exc:
        return f"GET {url} failed: {exc!r}"


async def postgres(bindir: Path, host: str, port: int) -> str | None:
    """Ready when PostgreSQL accepts connections (pg_isready)."""
    process = await asyncio.create_subprocess_exec(
        str(bindir / "pg_isready"),
        "-h",
        host,
        "-p",
        str(port),
        "-t",
        "2",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return None if process.returncode == 0 else f"pg_isready: {out.decode().strip()}"


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on the port (used to name clashes before starting)."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0
