"""Wiring: the hazard service's parts built from its settings, each port given its adapter.

`build` wires the whole service (handlers on the SQL unit of work, the clock's watches, the
evidence parts); `hazard_service` the handlers alone, on a database. Unit tests pass fakes to
`HazardService` and `AttachmentService` directly (tests/unit/hazard/fakes.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from hl_contracts.vocabulary import HazardLevel, ListingLevel
from hl_hazard.adapters.attachment_units import SqlHazardUnits
from hl_hazard.adapters.backfill import SqlBackfillUnitOfWork
from hl_hazard.adapters.content_check import ContentChecker, Limits
from hl_hazard.adapters.tables import idempotency_keys
from hl_hazard.adapters.unit_of_work import SqlUnitOfWork
from hl_hazard.application.attachment_sweep import AttachmentSweep
from hl_hazard.application.attachments import AttachmentService
from hl_hazard.application.backfill import Backfill
from hl_hazard.application.direct_uploads import DirectUploads
from hl_hazard.application.evidence_ports import ObjectStore, SizeLimits
from hl_hazard.application.overdue import EscalationPolicy, OverdueWatch
from hl_hazard.application.ports import Clock
from hl_hazard.application.reminders import ReminderWatch
from hl_hazard.application.service import HazardService
from hl_hazard.domain.evidence import EvidenceRules
from hl_hazard.domain.reminders import ReminderSchedule
from hl_hazard.settings import HazardSettings
from hl_platform.db import Database
from hl_platform.idempotency_store import IdempotencyLedger
from hl_platform.object_store import S3ObjectStore
from hl_platform.runtime import Runtime
from hl_platform.sql_unit_of_work import SqlUnitsOfWork


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


def build_evidence(settings: HazardSettings, hazards: HazardService) -> Evidence:
    store = settings.object_store()
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


@dataclass
class Hazards:
    """The hazard service, wired: its handlers, the jobs on its clock, and its evidence parts."""

    service: HazardService
    ledger: IdempotencyLedger
    overdue: OverdueWatch
    reminders: ReminderWatch
    evidence: Evidence
    backfill: Backfill


def hazard_service(
    db: Database,
    *,
    ledger: IdempotencyLedger | None = None,
    on_commit: Callable[[], None] = lambda: None,
    clock: Clock | None = None,
    rules: EvidenceRules | None = None,
) -> HazardService:
    """The handlers on SQL units of work of `db` (and its `idempotency_keys`)."""
    units = SqlUnitsOfWork(SqlUnitOfWork, db, ledger or IdempotencyLedger(idempotency_keys))
    return HazardService(units, on_commit=on_commit, clock=clock, rules=rules)


def build(settings: HazardSettings, runtime: Runtime) -> Hazards:
    ledger = IdempotencyLedger(idempotency_keys, timedelta(seconds=settings.idempotency_ttl_s))
    service = hazard_service(runtime.db, ledger=ledger, on_commit=runtime.committed, rules=evidence_rules(settings))
    overdue = OverdueWatch(
        service, runtime.db, interval=settings.overdue_scan_interval_s, escalation=escalation_policy(settings)
    )
    reminders = ReminderWatch(
        service, runtime.db, reminder_schedule(settings), interval=settings.reminder_scan_interval_s
    )
    return Hazards(
        service, ledger, overdue, reminders, build_evidence(settings, service), backfill(runtime.db, service)
    )


def backfill(db: Database, hazards: HazardService) -> Backfill:
    """The backfill handler on `db`, with the hazard handlers' clock, rules and relay wake-up."""
    units = SqlUnitsOfWork(SqlBackfillUnitOfWork, db, IdempotencyLedger(idempotency_keys))
    return Backfill(units, hazards.clock, on_commit=hazards.on_commit, rules=hazards.rules)


def escalation_policy(settings: HazardSettings) -> EscalationPolicy | None:
    """The optional automatic listing of overdue major hazards, if the settings turn it on."""
    if not settings.overdue_escalation_level:
        return None
    level = ListingLevel(settings.overdue_escalation_level)
    return EscalationPolicy(level, settings.overdue_escalation_authority or f"{level.value}-level authority")


def reminder_schedule(settings: HazardSettings) -> ReminderSchedule:
    """The reminder schedule the settings describe."""
    return ReminderSchedule(
        days_before={
            HazardLevel.GENERAL: settings.reminder_days_before_general,
            HazardLevel.MAJOR: settings.reminder_days_before_major,
        },
        overdue_notice_days=tuple(settings.overdue_notice_days),
        acceptance_days=settings.acceptance_reminder_days,
    )
