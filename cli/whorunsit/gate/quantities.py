"""Numbers with their units, short enough for one outcome line.

Three significant figures keep an interval that straddles a threshold readable
(3.95h .. 4.05h around 4h) without pretending to more precision than a CI has.
"""

from __future__ import annotations

import math


def _sig(x: float, digits: int = 3) -> str:
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - magnitude)
    text = f"{x:,.{decimals}f}"
    # 4h, not 4.00h: trailing zeros would claim digits the threshold never had
    return text.rstrip("0").rstrip(".") if "." in text else text


def show(value: float, unit: str, currency: str = "GBP", signed: bool = False) -> str:
    """``value`` (in the model's internal unit ``unit``) for people: 4h, 99.9%, 1,200,000 GBP/yr."""
    if value is None or math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "+inf" if value > 0 else "-inf"
    sign = "+" if signed and value > 0 else ""
    if unit == "%":
        return f"{sign}{_sig(value * 100)}%"
    if unit == "share":
        return f"{sign}{_sig(value * 100)}%"
    if unit == "h":
        if abs(value) < 1 and value != 0:
            return f"{sign}{_sig(value * 60)}m"
        if abs(value) >= 72:
            return f"{sign}{_sig(value / 24)}d"
        return f"{sign}{_sig(value)}h"
    if unit == "h/year":
        return f"{sign}{_sig(value)}h/yr"
    if unit == "/week":
        return f"{sign}{_sig(value)}/week"
    if unit.startswith("money") or unit.endswith("/year"):
        return f"{sign}{value:,.0f} {currency}/yr" if abs(value) >= 100 else f"{sign}{_sig(value)} {currency}/yr"
    return f"{sign}{_sig(value)}"
