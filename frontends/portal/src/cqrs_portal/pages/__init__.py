"""The portal's pages, one router per journey, included by the app in this order (the invite steps
before /users/{user_id})."""

from __future__ import annotations

from cqrs_portal.pages import allocations, auth, clusters, home, invite, pending, profile, reports, users

ROUTERS = [
    auth.router,
    home.router,
    profile.router,
    pending.router,
    invite.router,
    users.router,
    clusters.router,
    allocations.router,
    reports.router,
]
