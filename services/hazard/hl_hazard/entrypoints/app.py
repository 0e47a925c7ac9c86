"""The hazard service's HTTP application (internal: only the gateway calls it)."""

from __future__ import annotations

from fastapi import FastAPI

from hl_api import backfill as backfill_api
from hl_hazard.adapters.enterprise_replica import EnterpriseReplicaProjection
from hl_hazard.bootstrap import build
from hl_hazard.entrypoints import attachments, backfill
from hl_hazard.entrypoints.http import router
from hl_hazard.settings import HazardSettings
from hl_platform.http import create_service_app
from hl_platform.idempotency_store import purge_expired
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
    hazards = build(settings, runtime)
    runtime.background.append(hazards.evidence.sweep.run)
    runtime.background.append(hazards.overdue.run)
    runtime.background.append(hazards.reminders.run)
    runtime.background.append(lambda stop: purge_expired(hazards.ledger, runtime.db, stop))
    app = create_service_app(
        runtime,
        [router, attachments.router, backfill.router],
        title="Hazard Ledger — hazard service",
        description=__doc__ or "",
        body_limits={
            attachments.UPLOAD_PATH: settings.upload_max_bytes,
            backfill_api.BODY_LIMIT_PATTERN: backfill_api.MAX_BODY_BYTES,
        },
    )
    app.state.hazard_service = hazards.service
    app.state.attachments = hazards.evidence.attachments
    app.state.direct_uploads = hazards.evidence.direct
    app.state.backfill = hazards.backfill
    return app
