"""Wiring of the portal: settings, the session store and API client opened in the lifespan, the
session middleware, security headers, error pages, static assets and the pages' routers."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles

from cqrs_portal.gateway import ApiProblem, Gateway, NotLoggedIn
from cqrs_portal.pages import ROUTERS
from cqrs_portal.sessions import COOKIE, SessionStore
from cqrs_portal.settings import PortalSettings
from cqrs_portal.web import BadCsrf, LoginRequired, check_csrf, redirect, render, session_of

#: Paths that need no session: assets and the health checks.
NO_SESSION = ("/assets/", "/healthz", "/readyz")


class AssetsMissing(RuntimeError):
    """The compiled NHS.UK assets are not there: the install step has not run."""


def _security_headers(response: Response, nonce: str) -> None:
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


def create_app(settings: PortalSettings | None = None) -> FastAPI:  # noqa: PLR0915 - the one wiring place
    """The portal's ASGI app (uvicorn --factory)."""
    settings = settings or PortalSettings()  # read from the environment
    if not (settings.portal_static_dir / "css" / "portal.css").exists():
        msg = (
            f"{settings.portal_static_dir} has no compiled assets: run `make install` or `cqrs-local install`"
        )
        raise AssetsMissing(msg)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = SessionStore(
            settings.mongo_url,
            settings.portal_database,
            dt.timedelta(minutes=settings.portal_session_minutes),
        )
        gateway = Gateway(settings.gateway_url, timeout=settings.gateway_timeout_seconds)
        app.state.store = store
        app.state.gateway = gateway
        try:
            yield
        finally:
            await gateway.aclose()
            await store.close()

    app = FastAPI(
        title="CQRS portal",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(check_csrf)],
    )
    app.mount("/assets", StaticFiles(directory=settings.portal_static_dir), name="assets")

    @app.middleware("http")
    async def sessions(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """Attach the browser's session; store it and set the cookie when it changed."""
        if request.url.path.startswith(NO_SESSION):
            return await call_next(request)
        store: SessionStore = request.app.state.store
        session = await store.load(request.cookies.get(COOKIE)) or store.new()
        request.state.session = session
        request.state.nonce = secrets.token_urlsafe(16)
        response = await call_next(request)
        session = request.state.session  # login and logout replace it
        if session.changed:
            await store.save(session)
        if session.is_new or request.cookies.get(COOKIE) != session.session_id:
            response.set_cookie(
                COOKIE,
                session.session_id,
                max_age=settings.portal_session_minutes * 60,
                path="/",
                httponly=True,
                secure=_https(request),
                samesite="lax",
            )
        _security_headers(response, request.state.nonce)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> PlainTextResponse:
        """Alive."""
        return PlainTextResponse("ok")

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        """Ready when the session store answers."""
        try:
            await request.app.state.store.ping()
        except Exception as exc:
            return JSONResponse({"ready": False, "reason": str(exc)}, status_code=503)
        return JSONResponse({"ready": True})

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: Exception) -> Response:
        return redirect(f"/login?next={quote(request.url.path)}")

    @app.exception_handler(NotLoggedIn)
    async def logged_out(request: Request, _exc: Exception) -> Response:
        store: SessionStore = request.app.state.store
        await store.delete(session_of(request))
        request.state.session = store.new()
        request.state.session.say("Your session has ended. Log in again to carry on.")
        return redirect(f"/login?next={quote(request.url.path)}")

    @app.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, _exc: Exception) -> Response:
        return render(
            request,
            "error.jinja",
            {
                "title": "This form has expired",
                "detail": (
                    "The form was open too long or came from another site, so nothing was changed. "
                    "Go back, reload the page and try again."
                ),
            },
            status_code=400,
        )

    @app.exception_handler(ApiProblem)
    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiProblem)
        title = {403: "You cannot do that", 404: "Page not found"}.get(exc.status, exc.title)
        return render(request, "error.jinja", {"title": title, "detail": exc.detail}, status_code=exc.status)

    @app.exception_handler(404)
    async def not_found(request: Request, _exc: Exception) -> Response:
        if not hasattr(request.state, "session"):
            return PlainTextResponse("Not found", status_code=404)
        return render(
            request,
            "error.jinja",
            {"title": "Page not found", "detail": ("If you typed the web address, check it is correct.")},
            status_code=404,
        )

    for router in ROUTERS:
        app.include_router(router)
    return app
