"""Which Message Centre items a caller may see: the one place notifications asks K2's model.

An item addressed to roles at an organisation is visible through any ONE grant of the caller
whose role is one of them and which reaches the organisation (at it or above it, within that
grant's clusters and payment types); a personal item only to its person. A Supervisor also sees
the open tasks of every organisation their Supervisor grant reaches, whatever role they ask for.
"""

from __future__ import annotations

from typing import Any

from cqrs_kit.auth import Principal
from cqrs_kit.runtime import Runtime

SUPERVISOR = "Supervisor"


async def visible_to(runtime: Runtime, principal: Principal) -> dict[str, Any]:
    """A MongoDB filter matching exactly the items this caller may see."""
    snapshot = await runtime.directory.snapshot()
    clauses: list[dict[str, Any]] = [{"user_id": principal.user_id}]
    for grant in principal.grants:
        reach = sorted(snapshot.organisations_where([grant], grant.role))
        if not reach:
            continue
        clause: dict[str, Any] = {"roles": grant.role, "organisation": {"$in": reach}}
        if grant.payment_types:
            clause["payment_type"] = {"$in": [*grant.payment_types, None]}
        clauses.append(clause)
        if grant.role == SUPERVISOR:
            clauses.append({"kind": "task", "status": "open", "organisation": {"$in": reach}})
    return {"$or": clauses}
