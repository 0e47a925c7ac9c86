"""The embedded stack: one command runs nats-server and the four services."""
