"""Plumbing shared by the services: database, event store, outbox relay, NATS consumers,
telemetry, problem+json errors, the S3 object store and the common FastAPI application shape."""
