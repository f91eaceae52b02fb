"""Quantities the way people write them, converted to the model's internal units.

Durations become hours, rates become events per hour, shares become 0..1, money stays in
the scenario's currency (with the period it is paid per, in hours), times of the week
become hours since Monday 00:00. Every parser raises ``UnitError`` with what was wrong
and what would be right; the loader attaches a file position, the gate package reuses the
same parsers for thresholds.
"""

from __future__ import annotations

import math
import re

from whorunsit.model.calendar import DAY_NAMES, HOURS_PER_DAY, HOURS_PER_WEEK, HOURS_PER_YEAR
from whorunsit.model.scenario import Window

HOURS_PER_MONTH = HOURS_PER_YEAR / 12

DURATION_EXPECTED = "a duration such as 90s, 15m, 4h, 2d, 1w or 1h30m"
RATE_EXPECTED = "a rate such as 3/week, 0.5/day or 2/h"
SHARE_EXPECTED = "a percentage such as 15% (or a fraction between 0 and 1)"
MONEY_EXPECTED = "an amount of money such as 75 GBP, 350 GBP/week, 25k GBP or 1.2M GBP"
TIME_OF_WEEK_EXPECTED = "a day and time such as Tue 10:00"
WINDOW_EXPECTED = "a weekly window such as Tue 18:00-22:00, Mon-Fri 18:00-22:00 or Sat,Sun 10:00-16:00"


class UnitError(ValueError):
    """A value that does not parse as the quantity asked for."""

    def __init__(self, message: str, expected: str = ""):
        super().__init__(message if not expected else f"{message}; {expected}")
        self.message = message
        self.expected = expected


_DURATION_UNITS = {
    "s": 1 / 3600, "sec": 1 / 3600, "secs": 1 / 3600, "second": 1 / 3600, "seconds": 1 / 3600,
    "m": 1 / 60, "min": 1 / 60, "mins": 1 / 60, "minute": 1 / 60, "minutes": 1 / 60,
    "h": 1.0, "hr": 1.0, "hrs": 1.0, "hour": 1.0, "hours": 1.0,
    "d": HOURS_PER_DAY, "day": HOURS_PER_DAY, "days": HOURS_PER_DAY,
    "w": HOURS_PER_WEEK, "wk": HOURS_PER_WEEK, "week": HOURS_PER_WEEK, "weeks": HOURS_PER_WEEK,
    "y": HOURS_PER_YEAR, "yr": HOURS_PER_YEAR, "year": HOURS_PER_YEAR, "years": HOURS_PER_YEAR,
}
# periods a rate or a wage may be "per": the duration units plus months
_PERIODS = {**_DURATION_UNITS, "month": HOURS_PER_MONTH, "months": HOURS_PER_MONTH, "mo": HOURS_PER_MONTH}

_NUMBER = r"\d+(?:\.\d+)?|\.\d+"
_DURATION_PART = re.compile(rf"\s*({_NUMBER})\s*([a-z]+)", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(rf"^[+-]?(?:{_NUMBER})(?:e[+-]?\d+)?$", re.IGNORECASE)


def _text(value: object) -> str:
    if isinstance(value, bool) or value is None:
        raise UnitError(f"{_show(value)} is not a value with a unit")
    return str(value).strip()


def _show(value: object) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    return f"'{value}'"


def parse_number(text: object) -> float:
    """A plain number, allowing thousands separators (1,200) and k/M/bn suffixes."""
    if isinstance(text, bool) or text is None:
        raise UnitError(f"{_show(text)} is not a number", "a number such as 3, 0.5 or 1,200")
    if isinstance(text, int | float):
        value = float(text)
    else:
        s = str(text).strip().replace("_", "")
        m = re.fullmatch(r"([+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+))\s*(k|K|M|bn|B)?", s)
        if m:
            scale = {None: 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "bn": 1e9, "B": 1e9}[m.group(2)]
            value = float(m.group(1).replace(",", "")) * scale
        elif _PLAIN_NUMBER.match(s):
            value = float(s)
        else:
            raise UnitError(f"'{s}' is not a number", "a number such as 3, 0.5 or 1,200")
    if not math.isfinite(value):
        raise UnitError(f"{_show(text)} is not a finite number", "a number such as 3, 0.5 or 1,200")
    return value


def parse_duration(text: object, allow_bare: bool = False) -> float:
    """'15m', '4h', '2d', '1w', '90s', '1h30m' -> hours. Bare numbers only if allowed (hours)."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        if not allow_bare:
            raise UnitError(f"{_show(text)} has no unit", DURATION_EXPECTED)
        value = parse_number(text)
        if value < 0:
            raise UnitError(f"{_show(text)} is negative", DURATION_EXPECTED)
        return value
    s = _text(text)
    if s.startswith("-"):
        raise UnitError(f"'{s}' is negative", DURATION_EXPECTED)
    if _PLAIN_NUMBER.match(s):
        if allow_bare:
            return parse_number(s)
        raise UnitError(f"'{s}' has no unit", DURATION_EXPECTED)
    total, pos, seen = 0.0, 0, 0
    while pos < len(s):
        m = _DURATION_PART.match(s, pos)
        if not m:
            raise UnitError(f"'{s}' is not a duration", DURATION_EXPECTED)
        unit = m.group(2).lower()
        if unit not in _DURATION_UNITS:
            raise UnitError(f"'{s}' has an unknown time unit '{m.group(2)}'", DURATION_EXPECTED)
        total += float(m.group(1)) * _DURATION_UNITS[unit]
        pos = m.end()
        seen += 1
    if not seen:
        raise UnitError(f"'{s}' is not a duration", DURATION_EXPECTED)
    if not math.isfinite(total):
        raise UnitError(f"'{s}' is too large", DURATION_EXPECTED)
    return total


def _period(text: str, whole: str, expected: str) -> float:
    """A 'per' period: a unit name (week, day, h) or a duration (2w). Hours."""
    t = text.strip()
    key = t.lower()
    if key in _PERIODS:
        return _PERIODS[key]
    try:
        hours = parse_duration(t)
    except UnitError:
        raise UnitError(f"'{whole}' has an unknown period '{t}'", expected) from None
    if hours <= 0:
        raise UnitError(f"'{whole}' has a zero period", expected)
    return hours


def parse_rate(text: object) -> float:
    """'3/week', '0.5/day', '2/h', '1/2w' -> events per hour."""
    s = _text(text)
    if "/" not in s:
        raise UnitError(f"{_show(text)} has no period", RATE_EXPECTED)
    count, _, per = s.partition("/")
    try:
        n = parse_number(count)
    except UnitError:
        raise UnitError(f"'{s}' is not a rate", RATE_EXPECTED) from None
    if n < 0:
        raise UnitError(f"'{s}' is negative", RATE_EXPECTED)
    return n / _period(per, s, RATE_EXPECTED)


def parse_share(text: object, allow_fraction: bool = True) -> float:
    """'15%' -> 0.15. A plain number between 0 and 1 is taken as a fraction when allowed."""
    if isinstance(text, bool) or text is None:
        raise UnitError(f"{_show(text)} is not a share", SHARE_EXPECTED)
    s = str(text).strip()
    if s.endswith("%"):
        try:
            # rounding removes binary noise: 99.9% must be exactly the float 0.999
            value = round(parse_number(s[:-1].strip()) / 100, 12)
        except UnitError:
            raise UnitError(f"'{s}' is not a percentage", SHARE_EXPECTED) from None
    else:
        try:
            value = parse_number(s)
        except UnitError:
            raise UnitError(f"'{s}' is not a share", SHARE_EXPECTED) from None
        if not allow_fraction:
            raise UnitError(f"'{s}' has no % sign", "a percentage such as 15%")
        if value > 1:
            raise UnitError(f"'{s}' is more than 1", f"a percentage such as {s}% or a fraction between 0 and 1")
    if not 0 <= value <= 1:
        raise UnitError(f"'{s}' is outside 0-100%", SHARE_EXPECTED)
    return value


_CURRENCY_SYMBOLS = {"£": "GBP", "$": "USD", "€": "EUR"}
_MONEY = re.compile(
    r"^(?P<sym>[£$€])?\s*(?P<amount>[0-9][0-9,._]*(?:\.\d+)?\s*(?:k|K|M|bn|B)?|\.\d+)"
    r"\s*(?P<cur>[A-Za-z]{3})?\s*(?:/\s*(?P<per>.+))?$"
)


def parse_money(text: object, currency: str | None = None) -> tuple[float, float | None]:
    """'350 GBP/week' -> (350.0, 168.0); '75 GBP' -> (75.0, None); '25k GBP', '1.2M GBP'.

    The second value is the period the amount is paid per, in hours (None for a one-off
    amount). The currency may be left out; if written it must be the scenario's.
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = parse_number(text)
        if value < 0:
            raise UnitError(f"{_show(text)} is negative", MONEY_EXPECTED)
        return value, None
    s = _text(text)
    if s.startswith("-"):
        raise UnitError(f"'{s}' is negative", MONEY_EXPECTED)
    m = _MONEY.match(s)
    if not m:
        raise UnitError(f"'{s}' is not an amount of money", MONEY_EXPECTED)
    try:
        amount = parse_number(m.group("amount").strip())
    except UnitError:
        raise UnitError(f"'{s}' is not an amount of money", MONEY_EXPECTED) from None
    if m.group("cur") and m.group("cur").lower() in _PERIODS:
        raise UnitError(f"'{s}' is not an amount of money", MONEY_EXPECTED)
    written = _CURRENCY_SYMBOLS.get(m.group("sym") or "") or (m.group("cur") or "").upper() or None
    if m.group("sym") and m.group("cur") and _CURRENCY_SYMBOLS[m.group("sym")] != m.group("cur").upper():
        raise UnitError(f"'{s}' names two currencies", MONEY_EXPECTED)
    if currency and written and written != currency.upper():
        raise UnitError(f"'{s}' is in {written} but the scenario's currency is {currency}",
                        f"an amount in {currency}")
    per = m.group("per")
    return amount, (_period(per, s, MONEY_EXPECTED) if per is not None else None)


_DAYS = {name.lower(): i for i, name in enumerate(DAY_NAMES)}
_DAYS.update({full: i for i, full in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))})
_DAYS.update({"tues": 1, "wednes": 2, "thur": 3, "thurs": 3})


def parse_day(text: str) -> int:
    """'Mon' / 'monday' -> 0 .. 'Sun' -> 6."""
    key = str(text).strip().lower()
    if key not in _DAYS:
        raise UnitError(f"'{text}' is not a day of the week", "one of " + ", ".join(DAY_NAMES))
    return _DAYS[key]


def parse_clock(text: str, allow_24: bool = False) -> float:
    """'09:00' -> 9.0, '17:30' -> 17.5; '24:00' only when it ends a range."""
    s = str(text).strip()
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", s)
    if not m:
        raise UnitError(f"'{s}' is not a time of day", "a time such as 09:00 or 17:30")
    h, mi = int(m.group(1)), int(m.group(2))
    if mi >= 60 or h > 24 or (h == 24 and (mi or not allow_24)):
        raise UnitError(f"'{s}' is not a time of day", "a time from 00:00 to 23:59")
    return h + mi / 60


def parse_clock_range(text: object) -> tuple[float, float]:
    """'09:00-17:00' -> (9.0, 17.0). The end may be 24:00; it must be after the start."""
    s = _text(text)
    start, sep, end = s.partition("-")
    if not sep:
        raise UnitError(f"'{s}' is not a range of hours", "hours such as 09:00-17:00")
    a, b = parse_clock(start), parse_clock(end, allow_24=True)
    if b <= a:
        raise UnitError(f"'{s}' ends before it starts", "hours such as 09:00-17:00")
    return a, b


def parse_time_of_week(text: object) -> float:
    """'Tue 10:00' -> 34.0 (hours since Monday 00:00)."""
    s = _text(text)
    parts = s.split()
    if len(parts) != 2:
        raise UnitError(f"'{s}' is not a day and time", TIME_OF_WEEK_EXPECTED)
    try:
        return parse_day(parts[0]) * HOURS_PER_DAY + parse_clock(parts[1])
    except UnitError as exc:
        raise UnitError(f"'{s}': {exc.message}", TIME_OF_WEEK_EXPECTED) from None


def _days(spec: str, whole: str) -> list[int]:
    """'Mon', 'Mon-Fri', 'Sat,Sun', 'Fri-Mon' (wrapping) -> day indices in order."""
    days: list[int] = []
    for part in spec.split(","):
        first, dash, last = part.strip().partition("-")
        try:
            a = parse_day(first)
            b = parse_day(last) if dash else a
        except UnitError as exc:
            raise UnitError(f"'{whole}': {exc.message}", WINDOW_EXPECTED) from None
        d = a
        while True:
            if d not in days:
                days.append(d)
            if d == b:
                break
            d = (d + 1) % 7
    return days


def _wrap(start: float, end: float) -> list[Window]:
    """A window in absolute week hours; split where it runs past Sunday midnight."""
    if end <= HOURS_PER_WEEK:
        return [Window(start, end)]
    return [Window(start, HOURS_PER_WEEK), Window(0.0, end - HOURS_PER_WEEK)]


def parse_window(text: object) -> list[Window]:
    """Weekly windows: 'Tue 18:00-22:00', 'Mon-Fri 18:00-22:00', 'Sat,Sun 10:00-16:00',
    'Fri 22:00-02:00' (past midnight), 'Fri 18:00-Mon 06:00' (across days)."""
    s = _text(text)
    across = re.fullmatch(r"([A-Za-z]+)\s+(\S+)\s*-\s*([A-Za-z]+)\s+(\S+)", s)
    if across:
        try:
            start = parse_day(across.group(1)) * HOURS_PER_DAY + parse_clock(across.group(2))
            end = parse_day(across.group(3)) * HOURS_PER_DAY + parse_clock(across.group(4), True)
        except UnitError as exc:
            raise UnitError(f"'{s}': {exc.message}", WINDOW_EXPECTED) from None
        if end <= start:
            end += HOURS_PER_WEEK
        return sorted(_wrap(start, end), key=lambda w: w.start)
    m = re.fullmatch(r"([A-Za-z,\s-]+?)\s+(\S+)\s*-\s*(\S+)", s)
    if not m:
        raise UnitError(f"'{s}' is not a weekly window", WINDOW_EXPECTED)
    try:
        a = parse_clock(m.group(2))
        b = parse_clock(m.group(3), allow_24=True)
    except UnitError as exc:
        raise UnitError(f"'{s}': {exc.message}", WINDOW_EXPECTED) from None
    if b == a:
        raise UnitError(f"'{s}' is empty", WINDOW_EXPECTED)
    windows: list[Window] = []
    for day in _days(m.group(1), s):
        start = day * HOURS_PER_DAY + a
        end = day * HOURS_PER_DAY + b + (HOURS_PER_DAY if b < a else 0.0)
        windows.extend(_wrap(start, end))
    return sorted(windows, key=lambda w: w.start)


def parse_quantity(text: object) -> tuple[float, str]:
    """Any threshold a gate may be written with, as (value, kind) in internal units.

    kinds: 'duration' (hours), 'rate' (per hour), 'share' (0..1, from a % sign),
    'money' (a one-off amount, or an amount per year when a period is written:
    '100k GBP/year', '2k GBP/week' -> per year), 'number' (plain, k/M suffixes allowed).
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        return parse_number(text), "number"
    s = _text(text)
    if not s:
        raise UnitError("an empty value", "a number or a quantity such as 4h, 10%, 3/week or 1.2M GBP")
    if s.endswith("%"):
        return round(parse_number(s[:-1].strip()) / 100, 12), "share"
    try:
        return parse_number(s), "number"
    except UnitError:
        pass
    negative = s.startswith("-")
    body = s[1:].strip() if negative else s
    sign = -1.0 if negative else 1.0
    m = _MONEY.match(body)
    if m and (m.group("sym") or (m.group("cur") and m.group("cur").lower() not in _PERIODS)):
        amount, per = parse_money(body)
        if per is None:
            return sign * amount, "money"
        return sign * amount * HOURS_PER_YEAR / per, "money/year"
    if "/" in body:
        return sign * parse_rate(body), "rate"
    try:
        return sign * parse_duration(body), "duration"
    except UnitError:
        raise UnitError(
            f"'{s}' is not a quantity", "a number or a quantity such as 4h, 10%, 3/week or 1.2M GBP"
        ) from None


def format_duration(hours: float) -> str:
    """Hours back to the unit a person would write: 2184.0 -> '13w', 0.25 -> '15m'."""
    if hours == 0:
        return "0h"
    for unit, size in (("w", HOURS_PER_WEEK), ("d", HOURS_PER_DAY), ("h", 1.0),
                       ("m", 1 / 60), ("s", 1 / 3600)):
        n = hours / size
        if abs(n - round(n)) < 1e-9 and round(n) >= 1:
            return f"{round(n)}{unit}"
    return f"{hours:.4g}h"
