"""The hazard service's HTTP application (internal: only the gateway calls it)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from hl_contracts.vocabulary import HazardLevel, ListingLevel
from hl_hazard.adapters.enterprise_replica import EnterpriseReplicaProjection
from hl_hazard.adapters.tables import idempotency_keys
from hl_hazard.application.overdue import EscalationPolicy, OverdueWatch
from hl_hazard.application.reminders import ReminderWatch
from hl_hazard.application.service import HazardService
from hl_hazard.bootstrap import build_evidence, evidence_rules
from hl_hazard.domain.reminders import ReminderSchedule
from hl_hazard.entrypoints import attachments
from hl_hazard.entrypoints.http import router
from hl_hazard.settings import HazardSettings
from hl_platform.http import create_service_app
from hl_platform.idempotency_store import IdempotencyLedger, purge_expired
from hl_platform.nats_io import ConsumerSpec, stream_for
from hl_platform.runtime import Runtime, Subscription

ENTERPRISE_REPLICA = ConsumerSpec(stream="HL_ENTERPRISE", durable="hazard-enterprise-replica")


def create_app(settings: HazardSettings | None = None) -> FastAPI:
    settings = settings or HazardSettings()
    runtime = Runtime(
        settings,
        streams=[stream_for("hazard")],  # it owns this one; it only reads HL_ENTERPRISE
        publishes=True,
        subscriptions=[Subscription(ENTERPRISE_REPLICA, EnterpriseReplicaProjection())],
    )
    ledger = IdempotencyLedger(idempotency_keys, timedelta(seconds=settings.idempotency_ttl_s))
    service = HazardService(runtime.db, on_commit=runtime.committed, ledger=ledger, rules=evidence_rules(settings))
    evidence = build_evidence(settings, service)
    runtime.background.append(evidence.sweep.run)
    escalation = None
    if settings.overdue_escalation_level:
        level = ListingLevel(settings.overdue_escalation_level)
        escalation = EscalationPolicy(level, settings.overdue_escalation_authority or f"{level.value}-level authority")
    watch = OverdueWatch(service, interval=settings.overdue_scan_interval_s, escalation=escalation)
    runtime.background.append(watch.run)
    reminders = ReminderWatch(service, reminder_schedule(settings), interval=settings.reminder_scan_interval_s)
    runtime.background.append(reminders.run)
    runtime.background.append(lambda stop: purge_expired(service.once.ledger, runtime.db, stop))
    app = create_service_app(
        runtime,
        [router, attachments.router],
        title="Hazard Ledger — hazard service",
        description=__doc__ or "",
        body_limits={attachments.UPLOAD_PATH: settings.upload_max_bytes},
    )
    app.state.hazard_service = service
    app.state.attachments = evidence.attachments
    app.state.direct_uploads = evidence.direct
    return app


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
