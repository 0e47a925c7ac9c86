"""The tips service's HTTP application (internal: only the gateway calls it)."""

from __future__ import annotations

from fastapi import FastAPI

from hl_platform.http import create_service_app
from hl_platform.nats_io import ConsumerSpec, stream_for
from hl_platform.runtime import Runtime, Subscription
from hl_tips.adapters.enterprise_replica import EnterpriseReplicaProjection
from hl_tips.bootstrap import build
from hl_tips.entrypoints import http_officer, http_public
from hl_tips.settings import TipsSettings

ENTERPRISE_REPLICA = ConsumerSpec(stream="HL_ENTERPRISE", durable="tips-enterprise-replica")


def create_app(settings: TipsSettings | None = None) -> FastAPI:
    settings = settings or TipsSettings()
    runtime = Runtime(
        settings,
        streams=[stream_for("tip")],  # it owns HL_TIPS; it only reads HL_ENTERPRISE
        publishes=True,
        subscriptions=[Subscription(ENTERPRISE_REPLICA, EnterpriseReplicaProjection())],
    )
    service = build(settings, runtime)
    runtime.background += [service.watch.run, service.bucket.run]
    app = create_service_app(
        runtime,
        [http_public.router, http_officer.router],
        title="Hazard Ledger — tips service",
        description=__doc__ or "",
    )
    app.state.tips = service
    return app
