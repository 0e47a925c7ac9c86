"""The console's map: a region's children as SVG shapes, shaded by a figure, rendered on the server.

Shapes come from the openly licensed GeoJSON files in `boundaries/` (see its README): each file is
checked against the sha256 in `sources.json`, decoded (ECharts' compressed "UTF8Encoding" form
where used), and projected once, equirectangular with the latitude's cosine — plenty for a city.
The page then needs no script and no map library: each shape is a link with its name and value.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BOUNDARIES = Path(__file__).resolve().parent / "boundaries"
WIDTH = 640.0
# ColorBrewer "Blues" (5 classes); names are drawn dark on a white halo, readable on every tone.
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#d9d9d9"
Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class Shape:
    code: str  # the child region's code
    path: str  # SVG path data in the map's coordinates
    label_at: tuple[float, float]


@dataclass(frozen=True)
class RegionMap:
    region_code: str
    width: float
    height: float
    shapes: tuple[Shape, ...]
    source: Mapping[str, str]


@dataclass(frozen=True)
class Shade:
    fill: str
    legend: str


def region_map(region_code: str) -> RegionMap | None:
    """The map of a region's children, or None when no boundaries are kept for it."""
    source = _sources().get(region_code)
    return _load(region_code) if source else None


def shades(values: Mapping[str, float | None]) -> tuple[dict[str, Shade], list[Shade]]:
    """Each code's shade and the legend, light to dark: equal steps from 0 to the largest value,
    whole steps (0, 1–2, 3–4, …) when every value is a whole number, as counts are."""
    known = [v for v in values.values() if v is not None]
    top = max(known, default=0.0)
    whole = all(float(v).is_integer() for v in known)
    classes = min(len(PALETTE), int(top) + 1) if whole else len(PALETTE)
    step = (math.ceil((top + 1) / classes) if whole else top / classes) or 1.0
    tones = [round(n * (len(PALETTE) - 1) / (classes - 1)) if classes > 1 else 0 for n in range(classes)]
    legend = [Shade(PALETTE[tone], _range(n, step, whole)) for n, tone in enumerate(tones)]
    by_code = {
        code: Shade(NO_DATA, "无数据") if value is None else legend[min(int(value // step), classes - 1)]
        for code, value in values.items()
    }
    return by_code, legend


def _range(n: int, step: float, whole: bool) -> str:
    if whole:
        low, high = int(n * step), int((n + 1) * step) - 1
        return str(low) if low == high else f"{low}–{high}"
    return f"{_number(n * step)}–{_number((n + 1) * step)}"


def _number(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


@functools.cache
def _sources() -> dict[str, dict[str, Any]]:
    sources: dict[str, dict[str, Any]] = json.loads((BOUNDARIES / "sources.json").read_text(encoding="utf-8"))
    return sources


@functools.cache
def _load(region_code: str) -> RegionMap:
    source = _sources()[region_code]
    raw = (BOUNDARIES / source["file"]).read_bytes()
    if hashlib.sha256(raw).hexdigest() != source["sha256"]:
        raise ValueError(f"boundaries/{source['file']} is not the file its sources.json entry describes")
    collection = json.loads(raw)
    scale = float(collection.get("UTF8Scale", 1024))
    encoded = collection.get("UTF8Encoding", False)
    features = [
        (_code_of(str(f["id"]), region_code, source["aliases"]), _polygons(f["geometry"], encoded, scale))
        for f in collection["features"]
    ]
    return _project(region_code, features, source)


def _code_of(feature_id: str, region_code: str, aliases: Mapping[str, str]) -> str:
    """A feature's child region code: an alias, or its id without the zero padding (370100 → 3701)."""
    if feature_id in aliases:
        return aliases[feature_id]
    child_length = 4 if len(region_code) == 2 else 6
    return feature_id[:child_length] if set(feature_id[child_length:]) <= {"0"} else feature_id


def _polygons(geometry: Mapping[str, Any], encoded: bool, scale: float) -> list[list[Ring]]:
    """A Polygon or MultiPolygon as polygons of rings of (longitude, latitude)."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    if not encoded:
        return [[[(float(x), float(y)) for x, y in ring] for ring in polygon] for polygon in polygons]
    offsets = geometry["encodeOffsets"] if geometry["type"] == "MultiPolygon" else [geometry["encodeOffsets"]]
    return [
        [_decode_ring(ring, ring_offsets, scale) for ring, ring_offsets in zip(polygon, polygon_offsets, strict=True)]
        for polygon, polygon_offsets in zip(polygons, offsets, strict=True)
    ]


def _decode_ring(text: str, offsets: Sequence[int], scale: float) -> Ring:
    """ECharts' ring encoding: pairs of characters, zigzag-encoded deltas from the offsets."""
    x, y = offsets[0], offsets[1]
    ring: Ring = []
    for i in range(0, len(text) - 1, 2):
        dx, dy = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        ring.append((x / scale, y / scale))
    return ring


def _project(region_code: str, features: list[tuple[str, list[list[Ring]]]], source: Mapping[str, str]) -> RegionMap:
    points = [point for _, polygons in features for polygon in polygons for ring in polygon for point in ring]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    squeeze = math.cos(math.radians((south + north) / 2))
    k = WIDTH / ((east - west) * squeeze)

    def to_xy(point: tuple[float, float]) -> tuple[float, float]:
        return (point[0] - west) * squeeze * k, (north - point[1]) * k

    shapes: dict[str, list[str]] = {}
    boxes: dict[str, list[tuple[float, float]]] = {}
    for code, polygons in features:
        for polygon in polygons:
            for ring in polygon:
                xy = [to_xy(point) for point in ring]
                shapes.setdefault(code, []).append(_ring_path(xy))
                boxes.setdefault(code, []).extend(xy)
    return RegionMap(
        region_code=region_code,
        width=WIDTH,
        height=round((north - south) * k, 1),
        shapes=tuple(Shape(code, " ".join(paths), _label_point(boxes[code])) for code, paths in shapes.items()),
        source=source,
    )


def _ring_path(points: Iterable[tuple[float, float]]) -> str:
    """An SVG subpath, dropping points within half a unit of the last one kept (no visible change)."""
    kept: list[tuple[float, float]] = []
    for x, y in points:
        if not kept or abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= 0.5:
            kept.append((x, y))
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in kept) + "Z"


def _label_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The middle of the largest extent: good enough to place a name inside a county."""
    xs, ys = sorted(p[0] for p in points), sorted(p[1] for p in points)
    return round(xs[len(xs) // 2], 1), round(ys[len(ys) // 2], 1)
