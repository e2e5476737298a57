"""The portal's one client of the public API: every call to a service goes through the gateway here.

Pages call a method named after what the user does; the method knows the service's path and body.
Each service's calls live in a module of their own (identity, notifications, participation, claims).
"""

from __future__ import annotations

from cqrs_portal.gateway.achievement import AchievementCalls
from cqrs_portal.gateway.base import ApiProblem, Credentials, FieldError, Json, NotLoggedIn
from cqrs_portal.gateway.claims import ClaimsCalls
from cqrs_portal.gateway.identity import IdentityCalls
from cqrs_portal.gateway.notifications import NotificationCalls
from cqrs_portal.gateway.participation import ParticipationCalls

__all__ = ["ApiProblem", "Credentials", "FieldError", "Gateway", "Json", "NotLoggedIn"]


class Gateway(IdentityCalls, NotificationCalls, ParticipationCalls, ClaimsCalls, AchievementCalls):
    """Calls the services through the gateway with the user's token, refreshing it once when it
    has expired."""
