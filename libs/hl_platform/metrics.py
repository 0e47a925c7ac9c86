"""Prometheus metrics shared by the services (served at /metrics)."""

from prometheus_client import Counter, Gauge, Histogram

OUTBOX_PUBLISHED = Counter("hl_outbox_published_total", "Events published from the outbox", ["service"])
OUTBOX_PUBLISH_ERRORS = Counter("hl_outbox_publish_errors_total", "Failed outbox publish attempts", ["service"])
OUTBOX_BACKLOG = Gauge("hl_outbox_backlog", "Unpublished outbox rows seen by the last relay pass", ["service"])
CONSUMER_APPLIED = Counter("hl_consumer_events_total", "Events handled by a consumer", ["consumer", "outcome"])
CONSUMER_PARKED = Counter("hl_consumer_parked_total", "Poison events parked in dead_letters", ["consumer"])
CONSUMER_BATCH_SECONDS = Histogram("hl_consumer_batch_seconds", "Time to apply and commit one batch", ["consumer"])
