"""The portal's pages, one router per journey, included by the app in this order."""

from __future__ import annotations

from cqrs_portal.pages import auth, home

ROUTERS = [auth.router, home.router]
