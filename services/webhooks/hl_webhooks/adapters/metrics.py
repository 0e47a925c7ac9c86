"""The deliverer's Prometheus metrics (served at /metrics with the platform's)."""

from prometheus_client import Counter, Gauge, Histogram

ATTEMPTS = Counter("hl_webhook_attempts_total", "Webhook delivery attempts, by what followed", ["outcome"])
ATTEMPT_SECONDS = Histogram("hl_webhook_attempt_seconds", "Time from sending to the receiver's answer (or the timeout)")
IN_FLIGHT = Gauge("hl_webhook_in_flight", "Attempts this replica has in flight")
