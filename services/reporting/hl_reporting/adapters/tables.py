"""The reporting service's own tables (beside the platform's event store and outbox)."""

from sqlalchemy import MetaData

metadata = MetaData()
