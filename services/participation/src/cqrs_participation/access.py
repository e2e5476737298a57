"""Every authorisation question participation asks, in one place, answered by the kit's Directory.

Roles are identity's role names. A commissioner acts with Commissioning Management at the
commissioning organisation (or above it) and on providers inside their reach (clusters included);
a provider acts with Service Management at the provider.
"""

from __future__ import annotations

from cqrs_kit.auth import Principal
from cqrs_kit.directory import Directory
from cqrs_kit.runtime import Runtime

COMMISSIONING = "Commissioning Management"
SERVICE_MANAGEMENT = "Service Management"
COMMISSIONER_READERS = (COMMISSIONING, "View", "Supervisor")
PROVIDER_READERS = (SERVICE_MANAGEMENT, "View", "Supervisor")
PROVIDER_KINDS = frozenset({"GP Practice", "PCN", "Federation"})


def directory(runtime: Runtime) -> Directory:
    """The kit's read model of identity's organisations, clusters and relationships."""
    return runtime.directory


async def require_commissioner(
    runtime: Runtime,
    user: Principal,
    organisation: str,
    *,
    payment_type: str | None = None,
    field: str | None = None,
) -> None:
    """Refuse unless the user may commission at the organisation (for that payment type)."""
    await directory(runtime).require(
        user, COMMISSIONING, organisation, payment_type=payment_type, field=field
    )


async def require_service_manager(runtime: Runtime, user: Principal, provider: str) -> None:
    """Refuse unless the user may manage the provider's services (accept, reject, request)."""
    await directory(runtime).require(user, SERVICE_MANAGEMENT, provider, field="provider_organisation_id")


async def commissioner_reach(runtime: Runtime, user: Principal, *, act: bool = False) -> set[str]:
    """Organisations whose offers the user may see (or, with ``act``, act on) as a commissioner."""
    roles = COMMISSIONING if act else COMMISSIONER_READERS
    return await directory(runtime).organisations_where(user, roles)


async def provider_reach(runtime: Runtime, user: Principal) -> set[str]:
    """Providers whose offers the user may see as a provider (My Services)."""
    return await directory(runtime).organisations_where(user, PROVIDER_READERS)


async def may_read_offer(runtime: Runtime, user: Principal, commissioner: str, provider: str) -> bool:
    """Whether the user sees an offer: a commissioner reaching both ends, or the provider."""
    found = directory(runtime)
    as_commissioner = await found.may(user, COMMISSIONER_READERS, commissioner) and await found.may(
        user, COMMISSIONER_READERS, provider
    )
    return as_commissioner or await found.may(user, PROVIDER_READERS, provider)


async def offerable_providers(runtime: Runtime, user: Principal, commissioner: str) -> dict[str, str]:
    """Providers below the commissioner the user may offer to, with their names (step 3)."""
    found = directory(runtime)
    reach = await found.organisations_where(user, COMMISSIONING)
    below = await found.descendants(commissioner)
    names: dict[str, str] = {}
    for code in sorted(reach & below):
        info = await found.organisation(code)
        if info is not None and info.kind in PROVIDER_KINDS:
            names[code] = info.name
    return names


async def ancestors(runtime: Runtime, organisation: str) -> list[str]:
    """The organisations above one, nearest first (services of these are available to it)."""
    found = directory(runtime)
    chain: list[str] = []
    info = await found.organisation(organisation)
    while info is not None and info.parent is not None and info.parent not in chain:
        chain.append(info.parent)
        info = await found.organisation(info.parent)
    return chain


async def organisation_name(runtime: Runtime, organisation: str) -> str:
    """An organisation's name, or its code when the directory does not know it yet."""
    info = await directory(runtime).organisation(organisation)
    return info.name if info is not None else organisation
