"""The gateway's use cases: authenticate, authorise, guard retries, forward to a service, read the
event log, manage keys. Each depends on small ports (protocols) that `adapters/` implement."""
