"""The evaluation scheme (评估方案): a region's indicators, weights and scoring bands, as data.

Seed 000 item 4 asks every city to score its departments, regions and towns each month; no national
formula exists, so the scheme is each city's data (a YAML file per version, see
`adapters/evaluation_schemes.py`) in a small declarative language, and no formula lives in code
(`evaluation_scheme_reader.parse_scheme` reads and checks it):

    indicators:
      - key: major_rectification            # stable English key
        label: 重大事故隐患整改率             # as printed on the score sheet
        weight: 30                           # points; a scheme's weights sum to 100
        value: {ratio: [major_rectified, major_found], unit: percent}
        if_undefined: 1                      # the score when the denominator is 0
        bands:                               # the first band the value falls in gives the score
          - {at_least: 100, score: 1}
          - {at_least: 80, score: 0.6}
          - {score: 0}                       # the last band takes every other value

A *quantity* is a named figure (`major_found`) or a sum of them (`{sum: [a, b]}`); a *value* is a
`count` of one quantity or a `ratio` of two (`unit: percent` scales it by 100). A value is rounded
to two decimals before it is banded, so the value shown is the value scored. A score is a fraction
of the indicator's weight (0 to 1): its points are weight × score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from hl_reporting.domain.report import FigureValue

TOTAL_POINTS = Decimal(100)  # a scheme's weights sum to this
CENT = Decimal("0.01")


class SchemeError(ValueError):
    """A scheme that breaks the language's rules; the message names the source and the place."""


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Quantity:
    """A named figure, or the sum of several."""

    names: tuple[str, ...]

    def of(self, figures: Mapping[str, FigureValue]) -> Decimal | None:
        """The sum; None when a figure has no value (a rate with nothing to rate)."""
        parts = [figures.get(name) for name in self.names]
        if any(part is None for part in parts):
            return None
        return sum((Decimal(int(p)) if isinstance(p, bool) else Decimal(p) for p in parts), Decimal(0))  # type: ignore[arg-type]

    def text(self) -> str:
        return self.names[0] if len(self.names) == 1 else "(" + " + ".join(self.names) + ")"


@dataclass(frozen=True)
class Band:
    """A range of values (bounds inclusive, either may be open) and the score it earns."""

    score: Decimal
    at_least: Decimal | None = None
    at_most: Decimal | None = None

    def holds(self, value: Decimal) -> bool:
        return (self.at_least is None or value >= self.at_least) and (self.at_most is None or value <= self.at_most)

    @property
    def label(self) -> str:
        """The range as printed: ≥80, ≤2, 80–100, 其他."""
        low, high = self.at_least, self.at_most
        if low is not None and high is not None:
            return f"{plain(low)}–{plain(high)}"
        if low is not None:
            return f"≥{plain(low)}"
        if high is not None:
            return f"≤{plain(high)}"
        return "其他"


@dataclass(frozen=True)
class Measure:
    """An indicator's value for one unit, with the figures it was computed from."""

    value: Decimal | None  # None: undefined (a ratio over zero, or a figure without value)
    inputs: Mapping[str, FigureValue]


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    weight: Decimal
    numerator: Quantity
    denominator: Quantity | None  # None: a count
    percent: bool
    if_undefined: Decimal | None
    bands: tuple[Band, ...]

    @property
    def figures(self) -> tuple[str, ...]:
        names = self.numerator.names + (self.denominator.names if self.denominator else ())
        return tuple(dict.fromkeys(names))

    def expression(self) -> str:
        """The value as a formula for the explanation, e.g. major_rectified ÷ major_found × 100."""
        if self.denominator is None:
            return self.numerator.text()
        return f"{self.numerator.text()} ÷ {self.denominator.text()}" + (" × 100" if self.percent else "")

    def measure(self, figures: Mapping[str, FigureValue]) -> Measure:
        inputs = {name: figures.get(name) for name in self.figures}
        top = self.numerator.of(figures)
        if self.denominator is None or top is None:
            return Measure(None if top is None else cents(top), inputs)
        bottom = self.denominator.of(figures)
        if not bottom:
            return Measure(None, inputs)
        return Measure(cents(top * (100 if self.percent else 1) / bottom), inputs)

    def band_of(self, value: Decimal) -> Band:
        return next(band for band in self.bands if band.holds(value))  # the last band holds every value


@dataclass(frozen=True)
class Scheme:
    """One version of a region's scheme; it applies to the periods from `effective_from` on."""

    region_code: str
    version: int
    effective_from: str  # YYYY-MM
    title: str
    submission_due_day: int  # a unit's report is on time when submitted by the end of this day
    indicators: tuple[Indicator, ...]
    digest: str  # sha256 of the scheme as written: a changed file shows as a changed digest

    @property
    def figures(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for indicator in self.indicators for name in indicator.figures))


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros: 0.60 → 0.6, 100 → 100."""
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text
