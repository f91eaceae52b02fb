"""Numbers with their units for gate outcome lines.

The simulate report's formatting (``report.format``) rounds to about three significant
figures, which is right for a table but not for a verdict: an interval of
[99.87%, 99.93%] against a 99.9% target must not print as [99.9%, 99.9%]. Here a whole
outcome line is printed with as many significant figures as it takes to tell every bound
from its threshold, and changes carry a sign. Scales follow the report: minutes under an
hour, hours under two days, days above.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from whorunsit.report.format import SYMBOLS

MAX_DIGITS = 7


def show(value: float, unit: str, currency: str = "GBP", *, signed: bool = False, digits: int = 3,
         exact: bool = False) -> str:
    """``value`` in the internal unit ``unit`` (h, share, %, count, /week, h/year,
    money/year) for people: 4h, 99.9%, +12%, £1,200,000/yr.

    ``exact`` is for thresholds: a threshold is exactly what was written, so it prints
    without trailing zeros (4h, not 4.00h); estimates keep their significant figures."""
    if value is None or math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "+inf" if value > 0 else "-inf"
    sign = "+" if signed and value > 0 else ""

    def _sig(x: float, digits: int) -> str:
        if x == 0:
            return "0"
        magnitude = math.floor(math.log10(abs(x)))
        text = f"{x:,.{max(0, digits - 1 - magnitude)}f}"
        return text.rstrip("0").rstrip(".") if exact and "." in text else text

    if unit in ("%", "share"):
        return f"{sign}{_sig(value * 100, digits)}%"
    if unit == "h":
        a = abs(value)
        if 0 < a < 1:
            return f"{sign}{_sig(value * 60, digits)}m"
        if a >= 48:
            return f"{sign}{_sig(value / 24, digits)}d"
        return f"{sign}{_sig(value, digits)}h"
    if unit == "h/year":
        return f"{sign}{_sig(value, digits)}h/yr"
    if unit == "/week":
        return f"{sign}{_sig(value, digits)}/week"
    if unit.startswith("money"):
        # the one money style of every command: €113,092/yr, CHF 1,200/yr
        amount = _sig(abs(value), max(digits, len(str(int(abs(value))))))
        sign = "-" if value < 0 else sign
        symbol = SYMBOLS.get(currency)
        return f"{sign}{symbol}{amount}/yr" if symbol else f"{sign}{currency} {amount}/yr"
    return f"{sign}{_sig(value, digits)}"


def digits_for(values: Iterable[float], threshold: float, unit: str, *, signed: bool = False) -> int:
    """The fewest significant figures (3 or more) at which every value that differs from
    the threshold also prints differently from it."""
    values = [v for v in values if v is not None and math.isfinite(v)]
    for digits in range(3, MAX_DIGITS + 1):
        target = show(threshold, unit, signed=signed, digits=digits)
        if all(
            show(v, unit, signed=signed, digits=digits) != target
            for v in values
            if not math.isclose(v, threshold, rel_tol=1e-12, abs_tol=1e-12)
        ):
            return digits
    return MAX_DIGITS
