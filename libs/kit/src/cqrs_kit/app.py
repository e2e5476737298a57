"""The app factory: one process per service serving FastAPI routes and Kafka consumers under one
lifespan, with /healthz, /readyz, OpenAPI and AsyncAPI under /api/<service>/."""

from __future__ import annotations

import importlib.metadata
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from faststream_fastapi import AsyncAPIConfig, FastStreamAPI
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from cqrs_contracts.topics import ALL_TOPICS
from cqrs_kit import logs, metrics, tracing
from cqrs_kit.auth import TokenVerifier, jwks_from_url, static_jwks
from cqrs_kit.broker import ensure_topics
from cqrs_kit.directory import INDEXES as DIRECTORY_INDEXES
from cqrs_kit.errors import install_problem_handlers
from cqrs_kit.mongo import Index
from cqrs_kit.outbox import commit_indexes
from cqrs_kit.route_guard import check_routes_need_tokens, declare_bearer_scheme
from cqrs_kit.runtime import Runtime
from cqrs_kit.settings import ServiceSettings

log = logs.get_logger(__name__)
Check = Callable[[], Awaitable[str | None]]


@dataclass
class ServiceSpec:
    """What makes one service different from another; everything else is shared."""

    name: str
    description: str
    routers: Sequence[APIRouter] = ()
    indexes: Sequence[Index] = ()
    outbox_collections: Sequence[str] = ()
    subscribe: Callable[[Runtime], None] | None = None
    buckets: Sequence[str] = ()
    extra_checks: Callable[[Runtime], dict[str, Check]] | None = None
    on_start: Callable[[Runtime], Awaitable[None]] | None = None
    on_stop: Callable[[Runtime], Awaitable[None]] | None = None
    extra_topics: Sequence[str] = field(default_factory=lambda: list(ALL_TOPICS))
    token_verifier: Callable[[Runtime], TokenVerifier] | None = None
    """How this service checks tokens (identity reads its own keys); default: settings' JWKS."""
    #: Collections built only from consumed events (`cqrsctl rebuild` empties and replays them);
    #: everything else in the database is the source of truth and is copied as it is.
    read_models: Sequence[str] = ()


class CorrelationMiddleware(BaseHTTPMiddleware):
    """Binds a correlation id (from X-Correlation-Id or X-Request-Id, else new) to every log line."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Bind, call, echo the id back."""
        logs.clear()
        correlation = (
            request.headers.get("x-correlation-id")
            or request.headers.get("x-request-id")
            or str(uuid.uuid4())
        )
        request.state.correlation_id = correlation
        logs.bind(correlation_id=correlation, path=request.url.path, method=request.method)
        response = await call_next(request)
        response.headers["X-Correlation-Id"] = correlation
        return response


def _health_router(spec: ServiceSpec, runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Alive: the process answers."""
        return {"status": "alive", "service": spec.name, "version": service_version(spec.name)}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        """Ready: every dependency (broker, database and, where used, S3 and clamd) answers."""
        checks: dict[str, Check] = {
            "database": runtime.mongo.ping,
            "broker": _broker_check(runtime),
        }
        if runtime.consumer.subscribed:
            checks["consumer"] = runtime.consumer.problem
        if runtime.s3 is not None:
            checks["object_store"] = runtime.s3.ping
        if spec.extra_checks:
            checks.update(spec.extra_checks(runtime))
        results = {name: await check() for name, check in checks.items()}
        ready = all(r is None for r in results.values())
        body = {
            "status": "ready" if ready else "not ready",
            "service": spec.name,
            "checks": {k: v or "ok" for k, v in results.items()},
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    return router


def service_version(name: str) -> str:
    """The installed version of the service's package (cqrs-<name>), or "unknown"."""
    try:
        return importlib.metadata.version(f"cqrs-{name}")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _broker_check(runtime: Runtime) -> Check:
    async def check() -> str | None:
        try:
            alive = await runtime.broker.ping(timeout=2.0)
        except Exception as exc:
            return f"broker unreachable: {exc.__class__.__name__}"
        return None if alive else "broker unreachable"

    return check


def create_service_app(spec: ServiceSpec, settings: ServiceSettings | None = None) -> Any:
    """Build the ASGI app of one service. Nothing connects until the lifespan starts."""
    settings = settings or ServiceSettings(service_name=spec.name)
    logs.configure_logging(
        spec.name, json=settings.json_logs, level=logging.getLevelNamesMapping()[settings.log_level]
    )
    runtime = Runtime.build(
        settings, outbox_collections=list(spec.outbox_collections), uses_s3=bool(spec.buckets)
    )
    runtime.directory.subscribe(runtime.consumer)
    if spec.subscribe:
        spec.subscribe(runtime)
    runtime.directory.check_still_subscribed(runtime.consumer)
    runtime.consumer.subscribe()
    refresher = metrics.Refresher(runtime, list(spec.outbox_collections))
    prefix = f"/api/{spec.name}"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.mongo.ensure_indexes(
            [*spec.indexes, *commit_indexes(spec.outbox_collections), *DIRECTORY_INDEXES]
        )
        if runtime.s3 is not None:
            await runtime.s3.ensure_buckets(spec.buckets)
        yield
        await refresher.stop()
        await runtime.relay.stop()
        if spec.on_stop:
            await spec.on_stop(runtime)
        await runtime.mongo.close()
        await tracing.shutdown(runtime.tracer_provider)

    async def connect(broker: KafkaBroker) -> None:
        await ensure_topics(
            settings.kafka_bootstrap,
            [*spec.extra_topics, *runtime.consumer.topics()],
            partitions=settings.topic_partitions,
        )
        await broker.start()
        if settings.relay_enabled:
            runtime.relay.start()
        refresher.start()
        if spec.on_start:
            await spec.on_start(runtime)
        log.info("service started", service=spec.name)

    api = FastAPI(
        title=f"CQRS {spec.name}",
        description=spec.description,
        lifespan=lifespan,
        openapi_url=f"{prefix}/openapi.json",
        docs_url=f"{prefix}/docs",
        redoc_url=None,
    )
    api.state.runtime = runtime
    api.state.token_verifier = _token_verifier(spec, runtime)
    metrics.install(api, runtime, service_version(spec.name))
    tracing.install(api, runtime, tracing.provider_for(settings, service_version(spec.name)))
    api.add_middleware(CorrelationMiddleware)
    install_problem_handlers(api)
    api.include_router(_health_router(spec, runtime), prefix=prefix)
    for router in spec.routers:
        api.include_router(router, prefix=prefix)
    check_routes_need_tokens(api, spec.name, prefix)
    declare_bearer_scheme(api)
    return FastStreamAPI(
        runtime.broker,
        application=api,
        safe_connection=True,
        context=runtime.broker.context,
        connection_hook=connect,
        asyncapi_path=AsyncAPIConfig(f"{prefix}/asyncapi"),
    )


def _token_verifier(spec: ServiceSpec, runtime: Runtime) -> TokenVerifier | None:
    """The service's own verifier, else one reading the static or published JWKS of settings."""
    if spec.token_verifier is not None:
        return spec.token_verifier(runtime)
    settings = runtime.settings
    if settings.jwks_json:
        source = static_jwks(settings.jwks_json)
    elif settings.jwks_url:
        source = jwks_from_url(settings.jwks_url)
    else:
        return None
    return TokenVerifier(
        source,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        min_interval_seconds=settings.jwks_min_interval_seconds,
    )


def runtime_of(app: Any) -> Runtime:
    """The runtime of an app made by create_service_app (for tests and tools in the same process)."""
    runtime: Runtime = app._application.state.runtime  # FastStreamAPI keeps the FastAPI app here
    return runtime
