"""The SQL unit of work: one transaction of the webhooks database and the stores that work in it.

`write=True` opens a write transaction (committed when the block ends, rolled back if it raises);
`write=False` a read. The stores are `subscription_store.py` and `delivery_store.py` on the
transaction's one connection, so a state change and the cancelling of its queue commit together.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from hl_platform.db import Database
from hl_platform.sql_unit_of_work import SqlTransaction
from hl_webhooks.adapters import delivery_store, subscription_store
from hl_webhooks.adapters.secret_box import SecretBox
from hl_webhooks.application.ports import Deliveries, Subscriptions
from hl_webhooks.application.views import AttemptView, DeliveryView
from hl_webhooks.domain.subscription import Subscription


class SqlSubscriptions:
    def __init__(self, conn: AsyncConnection, box: SecretBox) -> None:
        self.conn = conn
        self.box = box

    async def get(self, subscription_id: str) -> Subscription | None:
        return await subscription_store.get(self.conn, subscription_id, self.box)

    async def add(self, sub: Subscription) -> None:
        await subscription_store.add(self.conn, sub, self.box)

    async def save(self, sub: Subscription) -> None:
        await subscription_store.save(self.conn, sub, self.box)

    async def page(
        self, *, owner_id: str | None, region_prefix: str, after: str | None, limit: int
    ) -> list[Subscription]:
        return await subscription_store.page(
            self.conn, self.box, owner_id=owner_id, region_prefix=region_prefix, after=after, limit=limit
        )


class SqlDeliveries:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def page(
        self, subscription_id: str, status: str | None, before: str | None, limit: int
    ) -> list[DeliveryView]:
        return await delivery_store.page(self.conn, subscription_id, status, before, limit)

    async def get(self, subscription_id: str, delivery_id: str) -> DeliveryView | None:
        return await delivery_store.get(self.conn, subscription_id, delivery_id)

    async def attempts_of(self, delivery_id: str) -> list[AttemptView]:
        return await delivery_store.attempts_of(self.conn, delivery_id)

    async def requeue(self, delivery_id: str, now: datetime) -> None:
        await delivery_store.requeue(self.conn, delivery_id, now)


class SqlUnitOfWork(SqlTransaction):
    subscriptions: Subscriptions
    deliveries: Deliveries

    def __init__(self, db: Database, box: SecretBox, *, write: bool = True) -> None:
        super().__init__(db, write=write)
        self.box = box

    def bind(self, conn: AsyncConnection) -> None:
        self.subscriptions = SqlSubscriptions(conn, self.box)
        self.deliveries = SqlDeliveries(conn)


class SqlUnitsOfWork:
    """The `UnitOfWorkFactory`: units of work on the service's database, secrets sealed by `box`."""

    def __init__(self, db: Database, box: SecretBox) -> None:
        self.db = db
        self.box = box

    def __call__(self, *, write: bool = True) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.db, self.box, write=write)
