"""Numbers as people read them: units, thousands separators and ± confidence intervals.

Conventions (documented in docs/reports.md):
- about three significant figures, thousands separated: 12,345 · 123 · 12.3 · 1.23 · 0.21;
- durations pick a scale from the value: seconds under a minute, minutes under an hour,
  hours under two days, days above ("42m", "3.2h", "4.1d"); a table row of several
  durations (A, B, the change and its interval) uses one scale, chosen for the row
  (``row_scale``), so "2.12d" and "41.5h" never sit side by side;
- money carries the currency's symbol when it has a common one (GBP £, EUR €, USD $) and
  its ISO code otherwise ("CHF 1,200", and a bare ± "CHF 1,200 ±80"); whole units
  from 100 up, cents below; a yearly amount always carries its period, "€113,092/yr",
  in every command and format (``money_per_year``);
- shares are percentages; availability keeps three decimals because 99.9% and 99.95%
  are different promises;
- the ± half-width of the 95% CI is written in the value's own scale and rounded to the
  value's decimals (one significant figure when that would round it to zero), so
  "3.37h ±0.06h" and "£177,582 ±£2,749" read together;
- anything not finite prints as "—" (no data, e.g. no deployments were demanded).
"""

from __future__ import annotations

import math

from whorunsit.stats import catalogue
from whorunsit.stats.results import Estimate

MISSING = "—"
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}

MINUTE = 1 / 60
DAY = 24.0
WEEK = 168.0


def decimals(x: float) -> int:
    """Decimals that give ``x`` about three significant figures (none from 100 up)."""
    a = abs(x)
    if a >= 100 or a == 0 or not math.isfinite(a):
        return 0
    if a >= 10:
        return 1
    if a >= 1:
        return 2
    return 1 - math.floor(math.log10(a))


def number(x: float, places: int | None = None) -> str:
    """12,345 · 123 · 12.3 · 1.23 · 0.21 (or with a fixed number of decimals)."""
    if not math.isfinite(x):
        return MISSING
    return f"{x:,.{decimals(x) if places is None else places}f}"


def _pm(h: float, places: int) -> str:
    """A half-width with the value's decimals, or one significant figure if that is 0."""
    if round(h, places) == 0 and h > 0:
        places = max(places, -math.floor(math.log10(h)))
    return f"{h:,.{places}f}"


def _duration_scale(hours: float) -> tuple[float, str]:
    a = abs(hours)
    if a < MINUTE:
        return 1 / 3600, "s"
    if a < 1:
        return MINUTE, "m"
    if a < 2 * DAY:
        return 1.0, "h"
    return DAY, "d"


def row_scale(values) -> tuple[float, str] | None:
    """One duration scale (hours per unit, suffix) for a row of values in hours, so
    every cell of the row reads in the same unit: days when every value is two days or
    more, minutes when all are under an hour, seconds under a minute, else hours
    ("165h" beside "0.33h" rather than "6.87d" beside "0.014d")."""
    finite = [abs(v) for v in values if v is not None and math.isfinite(v) and v != 0]
    if not finite:
        return None
    low, high = _duration_scale(min(finite)), _duration_scale(max(finite))
    if low == high:
        return low
    return (1.0, "h")


def duration(hours: float, scale: tuple[float, str] | None = None) -> str:
    """Hours as a short human duration: 45s, 42m, 3.2h, 4.1d (or in a given scale)."""
    if not math.isfinite(hours):
        return MISSING
    if hours == 0:
        return f"0{scale[1]}" if scale else "0h"
    size, suffix = scale or _duration_scale(hours)
    return f"{number(hours / size)}{suffix}"


def span(hours: float) -> str:
    """A calendar span for the header: whole weeks or days when it is one (13 weeks)."""
    for size, word in ((WEEK, "week"), (DAY, "day")):
        n = hours / size
        if n >= 1 and abs(n - round(n)) < 1e-9:
            n = round(n)
            return f"{n:,} {word}{'s' if n != 1 else ''}"
    return f"{number(hours)} h"


def _money_places(x: float) -> int:
    return 0 if abs(x) >= 100 or x == 0 else 2


def money(x: float, currency: str = "GBP", places: int | None = None) -> str:
    """£12,345 · £12.50 · CHF 1,200."""
    if not math.isfinite(x):
        return MISSING
    sign = "-" if x < 0 else ""
    places = _money_places(x) if places is None else places
    digits = f"{abs(x):,.{places}f}"
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{currency} {digits}"


def money_per_year(x: float, currency: str = "GBP", places: int | None = None) -> str:
    """A yearly amount in the one style every command uses: €113,092/yr, CHF 1,200/yr."""
    text = money(x, currency, places)
    return text if text == MISSING else text + "/yr"


def percent(share: float, places: int = 1) -> str:
    """A share 0..1 as a percentage: 0.923 -> 92.3%."""
    if not math.isfinite(share):
        return MISSING
    return f"{share * 100:.{places}f}%"


def availability(share: float) -> str:
    return percent(share, 3)


def target(share: float) -> str:
    """An availability target as people write it: 99.9%, 95.0%, 99.95%."""
    if not math.isfinite(share):
        return MISSING
    text = f"{share * 100:.3f}".rstrip("0")
    if text.endswith("."):
        text += "0"
    return text + "%"


# -- by catalogue unit --------------------------------------------------------------------

def value(x: float, unit: str, currency: str = "GBP", *, suffix: bool = True,
          scale: tuple[float, str] | None = None) -> str:
    """A value in a catalogue unit (h, share, count, /week, h/year, money/year), or
    "availability" (a share with three decimals).

    ``suffix=False`` drops the per-period part ("/yr", "/wk", " h/yr") for table cells
    whose column header already says it; ``scale`` fixes a duration's unit (``row_scale``).
    """
    if not math.isfinite(x):
        return MISSING
    if unit == "h":
        return duration(x, scale)
    if unit in ("share", "load"):
        return percent(x)
    if unit == "availability":
        return availability(x)
    if unit == "/week":
        return number(x) + ("/wk" if suffix else "")
    if unit == "h/year":
        return number(x) + (" h/yr" if suffix else "")
    if unit == "money/year":
        return money(x, currency) + ("/yr" if suffix else "")
    return number(x)


def half_width(x: float, h: float, unit: str, currency: str = "GBP",
               scale: tuple[float, str] | None = None) -> str:
    """The ± part for a value x, in the value's own scale. Empty when exact."""
    if not math.isfinite(x):
        return ""
    if not math.isfinite(h):
        return "±?"
    if h == 0:
        return ""
    if unit == "h":
        size, suffix = scale or _duration_scale(x if x != 0 else h)
        return f"±{_pm(h / size, decimals(x / size))}{suffix}"
    if unit in ("share", "load", "availability"):
        places = 3 if unit == "availability" else 1
        return f"±{_pm(h * 100, places)}%"
    if unit == "money/year":
        symbol = SYMBOLS.get(currency)
        amount = _pm(h, _money_places(x))
        return f"±{symbol}{amount}" if symbol else f"±{amount}"
    return "±" + _pm(h, decimals(x))


def estimate(est: Estimate | None, currency: str = "GBP", *, unit: str | None = None,
             suffix: bool = True, scale: tuple[float, str] | None = None) -> str:
    """An estimate with its 95% CI as ± next to it: "3.37h ±0.06h", "92.3% ±2.1%".

    ``unit`` overrides the catalogue unit, e.g. "availability" for three decimals;
    ``scale`` fixes a duration's unit for a row (``row_scale``).
    """
    if est is None or not math.isfinite(est.value):
        return MISSING
    raw = unit or display_unit(est.name)
    main = value(est.value, raw, currency, suffix=suffix, scale=scale)
    below, above = est.value - est.low, est.high - est.value
    if math.isfinite(est.half_width) and abs(above - below) > 0.2 * est.half_width:
        # lopsided (a share near 0 or 1, a time near 0): "±" would put an end outside
        # the metric's domain, so the ends are written out
        return (f"{main} [{value(est.low, raw, currency, suffix=False, scale=scale)}–"
                f"{value(est.high, raw, currency, suffix=False, scale=scale)}]")
    pm = half_width(est.value, est.half_width, raw, currency, scale)
    return f"{main} {pm}".strip()


def metric(name: str, x: float, currency: str = "GBP") -> str:
    """One metric's value formatted by its catalogue unit (for compare and gate output)."""
    return value(x, display_unit(name), currency)


def relative_precision(est: Estimate) -> float:
    """Half-width of the 95% CI as a share of the value (inf when it cannot be judged)."""
    if est.half_width == 0:
        return 0.0
    if not (math.isfinite(est.value) and math.isfinite(est.half_width)) or est.value == 0:
        return math.inf
    return est.half_width / abs(est.value)


def display_unit(name: str) -> str:
    """The unit a metric is shown in: its catalogue unit, but "availability" (three
    decimals) for application availability."""
    raw = catalogue_unit(name)
    if raw == "share" and name.startswith("applications.") and name.endswith(".availability"):
        return "availability"
    return raw


def catalogue_unit(name: str) -> str:
    """The catalogue's raw unit of a metric ("money/year" unsubstituted), "" if unknown."""
    entry = catalogue.info(name)
    return entry.unit if entry else ""
