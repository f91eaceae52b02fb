"""Cells of the compare report: one metric's values and changes as text.

Shared by the compare tables (``report.comparison``) and the headline
(``report.headline``), so both say the same figures the same way.
"""

from __future__ import annotations

import math

from whorunsit.report import format as fmt
from whorunsit.stats.compare import SAME, SMALL, MetricComparison

#: changes smaller than this are floating-point noise, not a difference
TINY = 1e-12
#: the smallest change shown in a row's duration unit; below it "<0.001d"
SMALLEST = 0.001


def _unit(m: MetricComparison) -> str:
    # availability keeps three decimals: 99.9% and 99.95% are different promises
    return "availability" if m.name.endswith(".availability") else fmt.catalogue_unit(m.name)


def scale(m: MetricComparison) -> tuple[float, str] | None:
    """The one duration unit of a metric's row: that of the largest value in it."""
    if _unit(m) != "h":
        return None
    return fmt.row_scale([e.value for e in m.estimates if e is not None])


def signed(x: float, unit: str, currency: str, row: tuple[float, str] | None = None) -> str:
    """A change with its sign; a change of a share is in percentage points (pp), so it
    cannot be mistaken for the relative change printed next to it."""
    if not math.isfinite(x):
        return fmt.MISSING
    if abs(x) < TINY:
        x = 0.0  # a mean of differences that cancel exactly, up to rounding
    if unit in ("share", "availability"):
        places = 3 if unit == "availability" or (x and abs(x) < 0.001) else 1
        return f"{x * 100:+.{places}f}pp"
    if row is not None and 0 < abs(x) / row[0] < SMALLEST:
        # in a row of days, a change of seconds would print as +0.0000062d
        return f"{'+' if x > 0 else '-'}<{SMALLEST:g}{row[1]}"
    text = fmt.value(x, unit, currency, scale=row)
    return "+" + text if x > 0 else text


def relative(x: float) -> str:
    return f"{x * 100:+.1f}%" if math.isfinite(x) else fmt.MISSING


def value(m: MetricComparison, x: float, currency: str) -> str:
    """A value in the metric's unit and its row's scale; money as every command writes
    it, with its period (€113,092/yr)."""
    return fmt.value(x, _unit(m), currency, scale=scale(m))


def mark(verdict: str | None) -> str:
    """The mark column: "* better", "* worse", "* changed", "no material change" or ""."""
    if verdict in (None, SAME):
        return ""
    return verdict if verdict == SMALL else f"* {verdict}"
