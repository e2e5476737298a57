"""The portal's pages, one router per journey, included by the app in this order (the invite steps
before /users/{user_id})."""

from __future__ import annotations

from cqrs_portal.pages import (
    allocations,
    auth,
    bulk,
    claim_submit,
    claims,
    clusters,
    declarations,
    home,
    invite,
    message_centre,
    my_services,
    network,
    offered,
    offers_create,
    participation,
    password_reset,
    payments,
    pending,
    profile,
    reports,
    requests,
    review,
    review_flows,
    users,
)

ROUTERS = [
    auth.router,
    password_reset.router,
    home.router,
    message_centre.router,
    profile.router,
    pending.router,
    invite.router,
    users.router,
    clusters.router,
    allocations.router,
    reports.router,
    participation.router,
    offers_create.router,
    my_services.router,
    offered.router,
    payments.router,  # before claims' /claims/{claim_id}
    bulk.router,  # likewise
    review_flows.router,  # likewise
    review.router,
    claim_submit.router,
    claims.router,
    declarations.router,
    network.router,
    requests.router,
]
