"""Synthetic hazard histories, as contract events (CloudEvents JSON), fast enough for millions.

Each hazard gets a plausible chain in version order: found; for some majors an escalation
(挂牌督办); a 五到位 plan; rectification; acceptance; for listed ones a delisting. Regions are the
catalogue's counties of the default province, industries the catalogue's, sources and levels in
realistic shares, business times over the last ~300 days. Events of different hazards interleave
(chunks of hazards advance one step at a time), as a live stream would.

Speed: the envelope of each event type is made once by `CloudEvent.create` (the contract's own
code); each event is a copy with its fields filled in, serialised with orjson. `self_check()`
parses a sample back through `CloudEvent.from_json(...).payload()` and requires the bytes to
round-trip exactly, so the fast path cannot drift from the contract.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson

from hl_contracts import Actor, CloudEvent, subject_for
from hl_contracts.hazard import (
    HazardAccepted,
    HazardDelisted,
    HazardEscalated,
    HazardFound,
    HazardPlanSet,
    HazardRectified,
)
from hl_contracts.vocabulary import INDUSTRIES, HazardLevel, HazardSource, ListingLevel

ACTOR = Actor(id="bench-inspector", name="王检查", role="inspector", organisation="山东省应急管理厅")
SOURCES = [("self_inspection", 50), ("department_inspection", 35), ("public_report", 10), ("other", 5)]
CHUNK = 1000  # hazards that advance together


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _counties(province: str) -> list[str]:
    from hl_catalogue import RegionCatalogue

    catalogue = RegionCatalogue.load_default()
    codes = [
        county.code
        for city in catalogue.children(province)
        for county in catalogue.children(city.code)
        if len(county.code) == 6
    ]
    return codes or [province]


def _templates() -> dict[str, dict[str, Any]]:
    at = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    samples = [
        HazardFound(
            enterprise_id="e",
            enterprise_name="n",
            source=HazardSource.SELF_INSPECTION,
            level=HazardLevel.MAJOR,
            title="t",
            found_at=at,
            found_by="f",
        ),
        HazardEscalated(level=ListingLevel.CITY, authority="a", reason="r", deadline=at.date(), escalated_at=at),
        HazardPlanSet(
            responsible_person="p", measures="m", funds_yuan=Decimal("1"), deadline=at.date(), emergency_plan="e"
        ),
        HazardRectified(completed_at=at, description="d"),
        HazardAccepted(reviewer="r", opinion="o", decided_at=at),
        HazardDelisted(level=ListingLevel.CITY, authority="a", delisted_at=at, reason="r"),
    ]
    out = {}
    for data in samples:
        event = CloudEvent.create(
            data=data,
            service="hazard",
            aggregate_id="x",
            sequence=1,
            region_code="371002",
            industry="hazardous_chemicals",
            actor=ACTOR,
            time=at,
        )
        out[data.event_type] = orjson.loads(event.to_json())
    return out


@dataclass
class Generated:
    subject: str
    payload: bytes
    event_id: str
    envelope: dict[str, Any]


class HazardHistories:
    """`report_hazards` hazards' events, deterministic for a seed."""

    def __init__(
        self, hazards: int, *, seed: int = 8, province: str = "37", now: datetime | None = None, light: bool = False
    ) -> None:
        self.hazards = hazards
        self.light = light
        self.seed = seed
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        self.counties = _counties(province)
        self.industries = list(INDUSTRIES)
        self.templates = _templates()
        self.events = 0
        self.listed_active = 0

    def _event(
        self,
        kind: str,
        hazard_id: str,
        sequence: int,
        region: str,
        industry: str,
        moment: datetime,
        data: dict[str, Any],
    ) -> Generated:
        envelope = dict(self.templates[kind])
        event_id = f"{hazard_id}-{sequence}" if self.light else str(uuid.uuid4())
        envelope.update(
            id=event_id,
            subject=hazard_id,
            time=_z(moment),
            sequence=sequence,
            regioncode=region,
            industry=industry,
            recordedtime=_z(moment + timedelta(seconds=30)),
        )
        envelope["data"] = data
        self.events += 1
        if self.light:  # for filling a read model: no wire form needed
            return Generated("", b"", event_id, envelope)
        return Generated(subject_for(kind, region), orjson.dumps(envelope), event_id, envelope)

    def chain(self, index: int) -> list[Generated]:
        """Hazard `index`'s events; the same for a seed whatever else is generated (own RNG per hazard)."""
        rng = random.Random(self.seed * 1_000_003 + index)
        hazard_id = f"bench-hz-{self.seed}-{index:08d}"
        region = rng.choice(self.counties)
        industry = rng.choice(self.industries)
        source = rng.choices([s for s, _ in SOURCES], [w for _, w in SOURCES])[0]
        level = "major" if rng.random() < 0.15 else "general"
        found_at = self.now - timedelta(days=rng.uniform(1, 300))
        enterprise = rng.randrange(50)
        chain = [
            self._event(
                "hazard.found",
                hazard_id,
                1,
                region,
                industry,
                found_at,
                {
                    "enterprise_id": f"bench-ent-{region}-{enterprise:02d}",
                    "enterprise_name": f"压测企业{region}-{enterprise:02d}有限公司",
                    "source": source,
                    "level": level,
                    "title": "储罐区可燃气体报警器失效",
                    "description": "",
                    "found_at": _z(found_at),
                    "found_by": "王检查",
                },
            )
        ]
        moment, listed = found_at, None
        if level == "major" and rng.random() < 0.3:
            listed = rng.choice(["county", "city", "province"])
            moment = found_at + timedelta(days=1)
            chain.append(
                self._event(
                    "hazard.escalated",
                    hazard_id,
                    len(chain) + 1,
                    region,
                    industry,
                    moment,
                    {
                        "level": listed,
                        "authority": "市安委会",
                        "reason": "重大事故隐患挂牌督办",
                        "deadline": (found_at + timedelta(days=60)).date().isoformat(),
                        "escalated_at": _z(moment),
                    },
                )
            )
        if rng.random() < 0.85:
            moment = moment + timedelta(days=1)
            chain.append(
                self._event(
                    "hazard.plan_set",
                    hazard_id,
                    len(chain) + 1,
                    region,
                    industry,
                    moment,
                    {
                        "responsible_person": "李四",
                        "measures": "更换报警器并校验",
                        "funds_yuan": str(rng.randrange(1, 2000) * 50),
                        "deadline": (found_at + timedelta(days=30)).date().isoformat(),
                        "emergency_plan": "有",
                    },
                )
            )
            completed = moment + timedelta(days=rng.uniform(1, 40))
            if rng.random() < 0.75 and completed < self.now - timedelta(hours=1):
                chain.append(
                    self._event(
                        "hazard.rectified",
                        hazard_id,
                        len(chain) + 1,
                        region,
                        industry,
                        completed,
                        {
                            "completed_at": _z(completed),
                            "description": "已更换",
                            "immediate": False,
                        },
                    )
                )
                decided = completed + timedelta(days=2)
                if rng.random() < 0.8 and decided < self.now - timedelta(hours=1):
                    chain.append(
                        self._event(
                            "hazard.accepted",
                            hazard_id,
                            len(chain) + 1,
                            region,
                            industry,
                            decided,
                            {
                                "reviewer": "赵验收",
                                "opinion": "合格",
                                "decided_at": _z(decided),
                            },
                        )
                    )
                    delisted = decided + timedelta(days=1)
                    if listed and rng.random() < 0.7 and delisted < self.now - timedelta(hours=1):
                        chain.append(
                            self._event(
                                "hazard.delisted",
                                hazard_id,
                                len(chain) + 1,
                                region,
                                industry,
                                delisted,
                                {
                                    "level": listed,
                                    "authority": "市安委会",
                                    "delisted_at": _z(delisted),
                                    "reason": "整改验收合格",
                                },
                            )
                        )
                        listed = None
        if listed:
            self.listed_active += 1
        return chain

    def stream(self) -> Iterator[Generated]:
        """Every event, chunk by chunk; within a chunk, all first events, then all second, …"""
        for start in range(0, self.hazards, CHUNK):
            chains = [self.chain(i) for i in range(start, min(start + CHUNK, self.hazards))]
            depth = max(len(chain) for chain in chains)
            for step in range(depth):
                for chain in chains:
                    if step < len(chain):
                        yield chain[step]

    def by_hazard(self, start: int = 0, stop: int | None = None) -> Iterator[list[Generated]]:
        """Each hazard's chain at once (for filling a read model directly)."""
        for index in range(start, self.hazards if stop is None else min(stop, self.hazards)):
            yield self.chain(index)


def self_check(sample: int = 200) -> None:
    """The fast envelopes must be exactly what the contract code makes of them."""
    gen = HazardHistories(sample, seed=1)
    for item in gen.stream():
        event = CloudEvent.from_json(item.payload)
        event.payload()  # the typed data validates
        if event.to_json() != item.payload:
            raise AssertionError(f"generated envelope does not round-trip: {item.payload[:200]!r}")


def found_day_range(now: datetime) -> tuple[date, date]:
    return (now - timedelta(days=300)).date(), now.date()
