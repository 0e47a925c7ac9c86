"""The enterprise service."""
