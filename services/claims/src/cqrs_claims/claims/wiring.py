"""Wiring of CQRS Local claims into the claims service: routes, stores, consumers, the bucket."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from cqrs_claims.attachments.objects import Objects
from cqrs_claims.attachments.store import ATTACHMENTS, AttachmentStore
from cqrs_claims.attachments.store import INDEXES as ATTACHMENT_INDEXES
from cqrs_claims.catalogue import handlers as catalogue_handlers
from cqrs_claims.catalogue.store import INDEXES as CATALOGUE_INDEXES
from cqrs_claims.catalogue.store import CatalogueStore
from cqrs_claims.claims.settings import claims_settings
from cqrs_claims.claims.store import CLAIMS, ClaimStore
from cqrs_claims.claims.store import INDEXES as CLAIM_INDEXES
from cqrs_kit.app import ServiceSpec
from cqrs_kit.runtime import Runtime
from cqrs_kit.settings import ServiceSettings

if TYPE_CHECKING:
    from cqrs_claims.attachments.service import Evidence
    from cqrs_claims.claims.service import Claims

_CLAIMS = "claims"
_EVIDENCE = "evidence"


def extend(spec: ServiceSpec, settings: ServiceSettings) -> ServiceSpec:
    """The service's spec with claims, attachments and the catalogue added to it."""
    from cqrs_claims.attachments import api as attachment_api  # noqa: PLC0415 - routes import wiring
    from cqrs_claims.attachments.service import Evidence  # noqa: PLC0415
    from cqrs_claims.claims import api as claim_api  # noqa: PLC0415
    from cqrs_claims.claims import handlers  # noqa: PLC0415
    from cqrs_claims.claims.service import Claims  # noqa: PLC0415

    cfg = claims_settings(settings)
    before = spec.subscribe

    def subscribe(runtime: Runtime) -> None:
        if before is not None:
            before(runtime)
        assert runtime.s3 is not None  # a bucket is declared, so the runtime has S3
        catalogue = CatalogueStore(runtime.mongo)
        claims = Claims(
            runtime=runtime,
            store=ClaimStore(runtime, cfg.claims_first_claim_id),
            catalogue=catalogue,
            attachments=AttachmentStore(runtime),
            objects=Objects(runtime.s3, cfg.claims_attachment_bucket, cfg.claims_max_attachment_bytes),
        )
        evidence = Evidence(claims)
        runtime.extras[_CLAIMS] = claims
        runtime.extras[_EVIDENCE] = evidence
        catalogue_handlers.subscribe(runtime, catalogue)
        handlers.subscribe(runtime, evidence)

    return dataclasses.replace(
        spec,
        routers=[*spec.routers, claim_api.router, attachment_api.router],
        indexes=[*spec.indexes, *CLAIM_INDEXES, *ATTACHMENT_INDEXES, *CATALOGUE_INDEXES],
        outbox_collections=[*spec.outbox_collections, CLAIMS, ATTACHMENTS],
        buckets=[*spec.buckets, cfg.claims_attachment_bucket],
        subscribe=subscribe,
    )


def claims_of(runtime: Runtime) -> Claims:
    """The claims use cases wired into a runtime."""
    claims: Claims = runtime.extras[_CLAIMS]
    return claims


def evidence_of(runtime: Runtime) -> Evidence:
    """The attachment use cases wired into a runtime."""
    evidence: Evidence = runtime.extras[_EVIDENCE]
    return evidence
