"""The `./hl` command: runs the embedded stack (nats-server, SeaweedFS, every service) and operates it."""
