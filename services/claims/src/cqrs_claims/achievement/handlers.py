"""Achievement and declaration reactions to other systems' events (registered in ``subscribe``).

Every effect is idempotent: an extraction is kept under its own id, and a declaration is
recalculated only when the figures its inputs give differ from the ones it has, so a repeated
event changes nothing.
"""

from __future__ import annotations

from cqrs_claims.achievement.domain.rules import PaymentRules
from cqrs_claims.declarations.service import Declarations
from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events import AchievementExtracted, QualityServicePublished
from cqrs_contracts.events.claims import RecalculationReason
from cqrs_contracts.events.identity import PcnRelationshipEnded, PcnRelationshipStarted
from cqrs_kit import logs
from cqrs_kit.runtime import Runtime

log = logs.get_logger(__name__)


async def refresh_service(
    declarations: Declarations, rules: PaymentRules, reason: RecalculationReason, correlation_id: str | None
) -> None:
    """Open or recalculate the declaration of every provider with achievement for a service."""
    achievement = declarations.achievement
    providers: set[str] = set()
    for practice in await achievement.store.practices(rules.quality_service_id):
        latest = await achievement.store.latest(rules.quality_service_id, practice)
        if latest is not None and (
            provider := await achievement.provider_of(rules, practice, latest.achievement_date)
        ):
            providers.add(provider)
    for provider in sorted(providers):
        await declarations.refresh(rules, provider, reason, correlation_id=correlation_id)


def subscribe(runtime: Runtime) -> None:
    """Every subscription of achievement and declarations, in one place."""
    declarations = Declarations(runtime)
    achievement = declarations.achievement

    @runtime.consumer.on(AchievementExtracted)
    async def achievement_extracted(event: AchievementExtracted, envelope: Envelope) -> None:
        """Keep the extraction, then open or recalculate the declaration it feeds."""
        await achievement.store.add_extraction(event)
        rules = await achievement.rules(event.quality_service_id)
        if rules is None:
            log.info("no payment rules yet; the extraction waits for them", service=event.quality_service_id)
            return
        provider = await achievement.provider_of(rules, event.practice_ods_code, event.achievement_date)
        if provider is None:
            log.warning("practice in no PCN on the achievement date", practice=event.practice_ods_code)
            return
        await declarations.refresh(rules, provider, "achievement", correlation_id=envelope.correlation_id)

    @runtime.consumer.on(QualityServicePublished)
    async def quality_service_published(event: QualityServicePublished, envelope: Envelope) -> None:
        """Keep a national service's indicators; new rules recalculate its open declarations."""
        if not event.domains or not await achievement.store.keep_service(event):
            return
        rules = await achievement.rules(event.quality_service_id)
        if rules is not None:
            await refresh_service(declarations, rules, "payment_rules", envelope.correlation_id)

    async def pcn_membership_changed(
        event: PcnRelationshipStarted | PcnRelationshipEnded, envelope: Envelope
    ) -> None:
        """A practice joined or left a PCN: recalculate that PCN's declarations (the Directory has
        already applied the change when this runs)."""
        for service in await achievement.store.services_of(event.practice_ods_code):
            rules = await achievement.rules(service)
            if rules is not None and rules.declaration_level == "pcn":
                await declarations.refresh(
                    rules, event.pcn_ods_code, "pcn_membership", correlation_id=envelope.correlation_id
                )

    runtime.directory.then(PcnRelationshipStarted)(pcn_membership_changed)
    runtime.directory.then(PcnRelationshipEnded)(pcn_membership_changed)
