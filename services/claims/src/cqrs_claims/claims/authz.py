"""Who may do what with claims, on the kit's per-grant model: providers act on their own
organisations' claims; commissioners see the claims of services they commissioned, in scope."""

from __future__ import annotations

from cqrs_claims.claims.domain.claim import Claim, ClaimStatus
from cqrs_kit.auth import Principal
from cqrs_kit.directory import Directory
from cqrs_kit.errors import DomainError, Forbidden, NotFound

SINGLE_LEVEL_USER = "Local User (single-level)"
MULTI_LEVEL_USER = "Local User (multi-level)"
MULTI_LEVEL_APPROVER = "Local Approver (multi-level)"
#: Provider roles that prepare claims (+New Claim, building, attachments).
PREPARERS = (SINGLE_LEVEL_USER, MULTI_LEVEL_USER, MULTI_LEVEL_APPROVER)
#: Provider roles whose Submit sends the claim to the commissioner.
SUBMITTERS = (SINGLE_LEVEL_USER, MULTI_LEVEL_APPROVER)
#: Provider roles that may look at their organisation's claims.
PROVIDER_VIEWERS = (*PREPARERS, "View")
#: Commissioner roles that see the claims of services their organisation commissioned.
COMMISSIONER_VIEWERS = (
    "Commissioning Management",
    "Local Administrator",
    "Local Approver Tier 1",
    "Local Approver Tier 2",
    "Local Finance",
    "Finance View",
    "View",
)


async def require_preparer(directory: Directory, principal: Principal, provider: str) -> None:
    """Refuse anyone who may not prepare claims for this provider."""
    await directory.require(principal, PREPARERS, provider, field="provider_organisation_id")


async def needs_provider_approval(directory: Directory, principal: Principal, claim: Claim) -> bool:
    """Whether this caller's Submit only sends the claim for approval (a User (multi-level)).

    An Approver (multi-level) or a single-level User submits; a claim Awaiting Provider Approval
    can only be submitted by an Approver.
    """
    provider = claim.provider_organisation_id
    if await directory.may(principal, SUBMITTERS, provider):
        if claim.status is ClaimStatus.AWAITING_PROVIDER_APPROVAL and not await directory.may(
            principal, MULTI_LEVEL_APPROVER, provider
        ):
            raise Forbidden("an Approver (multi-level) submits a claim Awaiting Provider Approval")
        return False
    if await directory.may(principal, MULTI_LEVEL_USER, provider):
        if claim.status is ClaimStatus.AWAITING_PROVIDER_APPROVAL:
            raise Forbidden("an Approver (multi-level) submits a claim Awaiting Provider Approval")
        return True
    await require_preparer(directory, principal, provider)
    raise Forbidden("your role cannot submit claims")  # pragma: no cover - require_preparer raised


async def may_view(directory: Directory, principal: Principal, claim: Claim) -> bool:
    """The provider's own users, or the commissioner's users within their scope."""
    if await directory.may(principal, PROVIDER_VIEWERS, claim.provider_organisation_id):
        return True
    return await directory.may(
        principal, COMMISSIONER_VIEWERS, claim.commissioner_organisation_id
    ) and await directory.may(principal, COMMISSIONER_VIEWERS, claim.provider_organisation_id)


async def require_view(directory: Directory, principal: Principal, claim: Claim) -> None:
    """A claim the caller may not see does not exist for them."""
    if not claim.visible or not await may_view(directory, principal, claim):
        raise NotFound(f"no claim {claim.claim_id}")


async def require_preparer_of(directory: Directory, principal: Principal, claim: Claim) -> None:
    """Only the provider's preparers change a claim (others get 404 if they cannot even see it)."""
    await require_view(directory, principal, claim)
    await require_preparer(directory, principal, claim.provider_organisation_id)


async def listing_scope(
    directory: Directory, principal: Principal, provider: str | None, commissioner: str | None
) -> dict[str, object]:
    """The query a list may cover: one provider's claims, or one commissioner's within scope."""
    if provider is not None:
        await directory.require(principal, PROVIDER_VIEWERS, provider, field="provider_organisation_id")
        query: dict[str, object] = {"provider_organisation_id": provider}
        if commissioner is not None:
            query["commissioner_organisation_id"] = commissioner
        return query
    if commissioner is None:
        msg = "say whose claims to list: provider_organisation_id or commissioner_organisation_id"
        raise DomainError(msg, field="provider_organisation_id")
    await directory.require(
        principal, COMMISSIONER_VIEWERS, commissioner, field="commissioner_organisation_id"
    )
    scope = await directory.organisations_where(principal, COMMISSIONER_VIEWERS)
    return {"commissioner_organisation_id": commissioner, "provider_organisation_id": {"$in": sorted(scope)}}
