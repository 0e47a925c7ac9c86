"""Wiring of the hazard service's evidence parts: each port given its adapter, from the settings.

Tests of the handlers pass fakes to `AttachmentService` directly (tests/unit/hazard/fakes.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from hl_hazard.adapters.attachment_units import SqlHazardUnits
from hl_hazard.adapters.content_check import ContentChecker, Limits
from hl_hazard.application.attachment_sweep import AttachmentSweep
from hl_hazard.application.attachments import AttachmentService
from hl_hazard.application.direct_uploads import DirectUploads
from hl_hazard.application.evidence_ports import ObjectStore, SizeLimits
from hl_hazard.application.service import HazardService
from hl_hazard.domain.evidence import EvidenceRules
from hl_hazard.settings import HazardSettings
from hl_platform.object_store import NoObjectStore, S3Config, S3ObjectStore


@dataclass
class Evidence:
    attachments: AttachmentService
    direct: DirectUploads
    sweep: AttachmentSweep
    store: ObjectStore


def evidence_rules(settings: HazardSettings) -> EvidenceRules:
    return EvidenceRules(
        rectification_photo_for_major=settings.rule_rectification_photo_for_major,
        acceptance_record_for_major=settings.rule_acceptance_record_for_major,
        listing_document_number=settings.rule_listing_document_number,
        listing_receipt_before_delisting=settings.rule_listing_receipt_before_delisting,
    )


def object_store(settings: HazardSettings) -> S3ObjectStore | NoObjectStore:
    if not settings.object_store_endpoint:
        return NoObjectStore()
    return S3ObjectStore(
        S3Config(
            endpoint=settings.object_store_endpoint,
            public_endpoint=settings.object_store_public_endpoint,
            bucket=settings.object_store_bucket,
            region=settings.object_store_region,
            access_key=settings.object_store_access_key,
            secret_key=settings.object_store_secret_key,
            path_style=settings.object_store_path_style,
            create_bucket=settings.object_store_create_bucket,
            retry_after_s=settings.object_store_retry_after_s,
        )
    )


def build_evidence(settings: HazardSettings, hazards: HazardService) -> Evidence:
    store = object_store(settings)
    attachments = AttachmentService(
        SqlHazardUnits(hazards),
        store,
        ContentChecker(
            Limits(
                max_pixels=settings.attachment_max_pixels,
                pdf_max_decoded_bytes=settings.attachment_pdf_max_decoded_bytes,
            )
        ),
        SizeLimits(settings.attachment_photo_max_bytes, settings.attachment_document_max_bytes),
        link_ttl_s=settings.attachment_link_ttl_s,
        pending_grace=timedelta(seconds=settings.attachment_pending_grace_s),
        on_commit=hazards.on_commit,
        clock=hazards.clock,
    )
    prepare = store.ensure_bucket if isinstance(store, S3ObjectStore) and settings.object_store_create_bucket else None
    sweep = AttachmentSweep(attachments, settings.attachment_sweep_interval_s, prepare)
    direct = DirectUploads(attachments, settings.attachment_upload_slot_ttl_s)
    return Evidence(attachments, direct, sweep, store)
