"""The gateway's rules, free of I/O: who may do what, credentials, idempotency, rate limits and
event-feed cursors."""
