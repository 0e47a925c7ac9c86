"""The hazard service."""
