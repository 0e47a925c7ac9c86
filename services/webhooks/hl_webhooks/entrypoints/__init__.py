"""The internal HTTP API (only the gateway calls it) and the app that runs the deliverer."""
