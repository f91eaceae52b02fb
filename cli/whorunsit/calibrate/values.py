"""Cell values of an incident log: missing markers, dates, priorities, counts.

Dates become hours since 1970-01-01 00:00 on the log's own wall clock: logs rarely say
their time zone (the ServiceNow sample does not), and working hours are judged on the
clock people in the organisation read, so no zone conversion is attempted. An ISO date
with an offset keeps its written wall-clock time for the same reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

#: cell texts that mean "no value" (ServiceNow exports write "?")
MISSING = frozenset({"", "?", "NULL", "null", "None", "none", "NaN", "nan", "N/A", "n/a", "NA"})

_EPOCH = datetime(1970, 1, 1)

#: formats tried when the date format is "auto", most specific first; day-first before
#: month-first, so 3/4/2016 is read as 3 April unless the data proves otherwise
DATE_FORMATS = (
    "iso",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
)

#: how a format is described to a user
DATE_NAMES = {
    "iso": "yyyy-mm-dd HH:MM[:SS]",
    "%d/%m/%Y %H:%M": "d/m/yyyy HH:MM",
    "%d/%m/%Y %H:%M:%S": "d/m/yyyy HH:MM:SS",
    "%m/%d/%Y %H:%M": "m/d/yyyy HH:MM",
    "%m/%d/%Y %H:%M:%S": "m/d/yyyy HH:MM:SS",
}

#: values sampled to choose a date format
SAMPLE = 500


def many(n: int, one: str, more: str) -> str:
    """'1 row has' / '2,345 rows have': notes read as sentences."""
    return f"{n:,} {one if n == 1 else more}"


def is_missing(text: str) -> bool:
    return text.strip() in MISSING


def describe_format(fmt: str) -> str:
    return DATE_NAMES.get(fmt, fmt)


def date_parser(fmt: str) -> Callable[[str], float]:
    """A function from a cell's text to hours since the epoch; ValueError if not a date."""
    if fmt == "iso":
        def parse(text: str) -> float:
            t = text.strip()
            if len(t) < 10 or t[4] != "-":  # fromisoformat also reads 20160229, too loosely
                raise ValueError(t)
            d = datetime.fromisoformat(t.replace("Z", "+00:00")).replace(tzinfo=None)
            return (d - _EPOCH).total_seconds() / 3600.0
        return parse
    fast = _numeric_parser(fmt)
    if fast is not None:
        return fast
    strptime = datetime.strptime

    def parse_with(text: str) -> float:
        return (strptime(text.strip(), fmt) - _EPOCH).total_seconds() / 3600.0
    return parse_with


_FIELDS = {"%d": r"(?P<d>\d{1,2})", "%m": r"(?P<m>\d{1,2})", "%Y": r"(?P<Y>\d{4})",
           "%H": r"(?P<H>\d{1,2})", "%M": r"(?P<M>\d{2})", "%S": r"(?P<S>\d{2})"}


def _numeric_parser(fmt: str) -> Callable[[str], float] | None:
    """A regex reader for formats of numeric fields only: strptime is the slowest step of
    a calibration, and most timestamps of a log fall on a few hundred distinct days."""
    parts = re.split(r"(%.)", fmt)
    if any(p.startswith("%") and p not in _FIELDS for p in parts):
        return None
    pattern = re.compile("".join(_FIELDS.get(p, re.escape(p)) for p in parts) + "$")
    days: dict[tuple[str, str, str], float] = {}

    def parse(text: str) -> float:
        m = pattern.match(text.strip())
        if m is None:
            raise ValueError(text)
        g = m.groupdict()
        key = (g["Y"], g["m"], g["d"])
        day = days.get(key)
        if day is None:
            day = days[key] = (datetime(int(key[0]), int(key[1]), int(key[2]))
                               - _EPOCH).total_seconds() / 3600.0
        hour, minute, second = int(g.get("H") or 0), int(g.get("M") or 0), int(g.get("S") or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError(text)
        return day + hour + minute / 60.0 + second / 3600.0
    return parse


def choose_date_format(texts: Sequence[str], formats: Sequence[str] = DATE_FORMATS) -> str | None:
    """The format that reads most of a sample of (non-missing) dates; None if none reads any.

    Ties keep the earlier format, so all-ambiguous day/month dates are read day-first.
    """
    sample = [t for t in texts if not is_missing(t)][:SAMPLE]
    best, best_count = None, 0
    for fmt in formats:
        parse = date_parser(fmt)
        count = 0
        for t in sample:
            try:
                parse(t)
            except ValueError:
                continue
            count += 1
        if count > best_count:
            best, best_count = fmt, count
        if best_count == len(sample):
            break
    return best


_PRIORITY_NUMBER = re.compile(r"^\s*(?:P|Priority\s*)?(\d+)\b", re.IGNORECASE)
_PRIORITY_WORDS = {"critical": 1, "urgent": 1, "high": 2, "moderate": 3, "medium": 3,
                   "normal": 3, "low": 4, "planning": 5}


def priority(text: str) -> int:
    """1..4 for P1..P4, 5 for any other written priority, 0 when missing.

    Reads '1 - Critical' (ServiceNow), 'P2', '3', 'Priority 4' and the usual words.
    """
    t = text.strip()
    if t in MISSING:
        return 0
    m = _PRIORITY_NUMBER.match(t)
    if m:
        n = int(m.group(1))
        return n if 1 <= n <= 4 else 5
    return _PRIORITY_WORDS.get(t.split()[0].lower().strip(":-"), 5)


def count(text: str) -> int:
    """A non-negative whole number such as 3 or 3.0; ValueError otherwise."""
    t = text.strip()
    try:
        n = int(t)
    except ValueError:
        f = float(t)
        if not f.is_integer():
            raise ValueError(t) from None
        n = int(f)
    if n < 0:
        raise ValueError(t)
    return n
