"""Plumbing shared by the four services: database, event store, outbox relay, NATS consumers,
telemetry, problem+json errors and the common FastAPI application shape."""
