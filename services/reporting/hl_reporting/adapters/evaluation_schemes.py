"""Evaluation schemes as YAML files: `<folder>/<region code>/<any name>.yaml`, one file per version.

The shipped folder is `hl_reporting/evaluation_schemes/`; `HL_REPORTING_EVALUATION_SCHEMES_DIR`
names another (a city keeps its own schemes beside its data). Every file is checked when the
service starts, so a broken scheme stops the start with the file and the rule it breaks, instead
of failing a request later. A published version is never edited: a change is a new file with the
next `version` and the period it applies from; the digest of each version is in every evaluation.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from hl_platform.errors import NotFound
from hl_reporting.domain.evaluation import EVALUATION_FIGURES
from hl_reporting.domain.evaluation_scheme import Scheme, SchemeError
from hl_reporting.domain.evaluation_scheme_reader import parse_scheme

SHIPPED = Path(__file__).resolve().parent.parent / "evaluation_schemes"
_CODE_LENGTHS = (9, 6, 4, 2)


class FileSchemeStore:
    """Every region's scheme versions, looked up by region (or its nearest ancestor) and period."""

    def __init__(self, schemes: Iterable[Scheme]) -> None:
        self._versions: dict[str, list[Scheme]] = {}
        for scheme in sorted(schemes, key=lambda s: (s.region_code, s.effective_from)):
            versions = self._versions.setdefault(scheme.region_code, [])
            if versions and versions[-1].effective_from == scheme.effective_from:
                raise SchemeError(f"{scheme.region_code}: two versions apply from {scheme.effective_from}")
            if versions and versions[-1].version >= scheme.version:
                raise SchemeError(f"{scheme.region_code}: version {scheme.version} must be above the earlier versions")
            versions.append(scheme)

    @classmethod
    def from_folder(cls, folder: str | Path | None = None) -> FileSchemeStore:
        """Load and check every scheme file under `folder` (default: the shipped schemes)."""
        root = Path(folder) if folder else SHIPPED
        if not root.is_dir():
            raise SchemeError(f"{root}: no such folder of evaluation schemes")
        return cls(_load(path) for path in sorted(root.glob("*/*.yaml")))

    def regions(self) -> list[str]:
        return sorted(self._versions)

    def scheme_for(self, region_code: str, period: str) -> Scheme:
        for length in _CODE_LENGTHS:
            if length > len(region_code):
                continue
            in_force = [s for s in self._versions.get(region_code[:length], []) if s.effective_from <= period]
            if in_force:
                return in_force[-1]
        raise NotFound(f"no evaluation scheme applies to region {region_code} in {period}")


def _load(path: Path) -> Scheme:
    source = f"{path.parent.name}/{path.name}"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SchemeError(f"{source}: not YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise SchemeError(f"{source}: a scheme is a mapping")
    scheme = parse_scheme(raw, EVALUATION_FIGURES, source)
    if scheme.region_code != path.parent.name:
        raise SchemeError(f"{source}: region_code {scheme.region_code} is not its folder's {path.parent.name}")
    return scheme
