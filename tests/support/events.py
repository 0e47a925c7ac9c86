"""Builders of realistic contract events for tests (random ids, so tests never collide)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hl_contracts import Actor, CloudEvent
from hl_contracts.hazard import HazardFound, HazardPlanSet, HazardRectified
from hl_contracts.vocabulary import HazardLevel, HazardSource
from hl_platform.aggregate import Aggregate

INSPECTOR = Actor(id="user-inspector-1", name="王检查", role="inspector", organisation="威海市应急管理局")


def random_id(prefix: str = "hz") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def found(aggregate_id: str | None = None, *, at: datetime | None = None, region: str = "371002") -> CloudEvent:
    at = at or datetime.now(UTC) - timedelta(hours=1)
    return CloudEvent.create(
        data=HazardFound(
            enterprise_id="ent-1",
            enterprise_name="威海某化工有限公司",
            source=HazardSource.SELF_INSPECTION,
            level=HazardLevel.MAJOR,
            title="储罐区可燃气体报警器失效",
            found_at=at,
            found_by="张三",
        ),
        service="hazard",
        aggregate_id=aggregate_id or random_id(),
        sequence=1,
        region_code=region,
        industry="hazardous_chemicals",
        actor=INSPECTOR,
        time=at,
    )


def next_event(previous: CloudEvent, kind: str = "rectified") -> CloudEvent:
    at = previous.time + timedelta(minutes=5)
    data = (
        HazardRectified(completed_at=at, description="更换报警器")
        if kind == "rectified"
        else HazardPlanSet(
            responsible_person="李四", measures="更换", funds_yuan=1000, deadline=at.date(), emergency_plan="有"
        )
    )
    return CloudEvent.create(
        data=data,
        service="hazard",
        aggregate_id=previous.subject,
        sequence=previous.sequence + 1,
        region_code=previous.regioncode,
        industry=previous.industry,
        actor=INSPECTOR,
        time=at,
    )


class Probe(Aggregate):
    """A minimal aggregate for testing the event store itself."""

    aggregate_type = "probe"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.titles: list[str] = []

    @property
    def region_code(self) -> str:
        return "371002"

    @property
    def industry(self) -> str:
        return "hazardous_chemicals"

    def when_found(self, data: HazardFound) -> None:
        self.titles.append(data.title)


async def publish_registration(nats_url: str, region: str = "371002") -> str:
    """Publish `enterprise.registered` as the enterprise service would (creating its stream); the id."""
    import nats

    from hl_contracts import subject_for
    from hl_contracts.enterprise import EnterpriseRegistered, Person
    from hl_platform.ids import new_id
    from hl_platform.nats_io import ensure_stream, stream_for
    from tests.support.uscc import random_uscc

    enterprise_id = new_id()
    event = CloudEvent.create(
        data=EnterpriseRegistered(
            uscc=random_uscc(region),
            name=f"{region}某化工有限公司",
            region_code=region,
            industry="hazardous_chemicals",
            principal=Person(name="赵总", phone="13800000000"),
        ),
        service="enterprise",
        aggregate_id=enterprise_id,
        sequence=1,
        region_code=region,
        industry="hazardous_chemicals",
        actor=Actor(id="a", name="管理员", role="admin"),
        time=datetime.now(UTC),
    )
    nc = await nats.connect(nats_url)
    try:
        await ensure_stream(nc.jetstream(), stream_for("enterprise"))
        await nc.jetstream().publish(
            subject_for(event.type, region), event.to_json(), headers={"Nats-Msg-Id": event.id}
        )
    finally:
        await nc.close()
    return enterprise_id
