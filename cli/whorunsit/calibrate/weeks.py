"""Calendar weeks of a log: counts per week, and the steady weeks a rate is taken from.

Weeks start on Monday (as the simulation's weekly calendar does) and are labelled by
their ISO week, 2016-W09. A log's first and last weeks are rarely like the rest: an
export starts mid-stream or tails off as later records were never loaded, so the rate
of new incidents is measured over its *steady* weeks: by default the longest run of
consecutive weeks each with at least half as many incidents as the busiest week (ties go
to the run with more incidents), or the weeks a user names with ``--weeks``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from whorunsit.errors import InputError, Location, Problem

_EPOCH = date(1970, 1, 1)
#: 1970-01-01 was a Thursday: day 0 is weekday 3 (Monday = 0)
_EPOCH_WEEKDAY = 3
#: a steady week has at least this share of the busiest week's incidents
STEADY_SHARE = 0.5

WEEKS_EXPECTED = ("weeks such as 2016-W09..2016-W21, 2016-02-29..2016-05-29 or 2016-W09.. "
                  "(ISO weeks or dates; either end may be left open)")


def week_index(hours: np.ndarray) -> np.ndarray:
    """Index of the Monday-based week holding each time (hours since the epoch)."""
    days = np.floor(np.asarray(hours, dtype=float) / 24.0)
    return np.floor((days + _EPOCH_WEEKDAY) / 7.0).astype(np.int64)


def monday(index: int) -> date:
    return _EPOCH + timedelta(days=int(index) * 7 - _EPOCH_WEEKDAY)


def label(index: int) -> str:
    year, week, _ = monday(index).isocalendar()
    return f"{year}-W{week:02d}"


def index_of(day: date) -> int:
    return ((day - _EPOCH).days + _EPOCH_WEEKDAY) // 7


@dataclass(frozen=True)
class Weeks:
    """Incidents opened in each week from the first to the last, empty weeks included."""

    first: int
    counts: np.ndarray

    @property
    def last(self) -> int:
        return self.first + len(self.counts) - 1

    def labels(self) -> list[str]:
        return [label(self.first + i) for i in range(len(self.counts))]


def count_weeks(opened: np.ndarray) -> Weeks:
    w = week_index(opened[np.isfinite(opened)])
    if len(w) == 0:
        return Weeks(0, np.zeros(0, dtype=np.int64))
    first = int(w.min())
    return Weeks(first, np.bincount(w - first))


def steady_run(weeks: Weeks) -> tuple[int, int]:
    """(first, last) week index of the longest run of weeks at or above half the busiest."""
    counts = weeks.counts
    busy = counts >= STEADY_SHARE * counts.max()
    best, best_key = (0, 0), (-1, -1)
    i = 0
    while i < len(counts):
        if not busy[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(counts) and busy[j + 1]:
            j += 1
        key = (j - i + 1, int(counts[i:j + 1].sum()))
        if key > best_key:
            best, best_key = (i, j), key
        i = j + 1
    return weeks.first + best[0], weeks.first + best[1]


_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


def _week_of(text: str) -> int:
    t = text.strip()
    m = _ISO_WEEK.match(t)
    if m:
        return index_of(date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1))
    return index_of(datetime.strptime(t, "%Y-%m-%d").date())


def parse_range(text: str) -> tuple[int | None, int | None]:
    """'2016-W09..2016-W21' -> week indexes; an empty end is None (open)."""
    start, sep, end = text.partition("..")
    if not sep and text.strip():
        start, end, sep = text, text, ".."  # one week on its own
    where = Location("--weeks")
    try:
        lo = _week_of(start) if start.strip() else None
        hi = _week_of(end) if end.strip() else None
    except ValueError:
        raise InputError(Problem(where, f"'{text}' is not a range of weeks",
                                 WEEKS_EXPECTED)) from None
    if lo is None and hi is None:
        raise InputError(Problem(where, f"'{text}' names no weeks", WEEKS_EXPECTED))
    if lo is not None and hi is not None and hi < lo:
        raise InputError(Problem(where, f"'{text}' ends before it starts", WEEKS_EXPECTED))
    return lo, hi


def chosen_run(weeks: Weeks, wanted: tuple[int | None, int | None]) -> tuple[int, int]:
    """The weeks a user asked for, within the log's weeks."""
    lo = weeks.first if wanted[0] is None else max(wanted[0], weeks.first)
    hi = weeks.last if wanted[1] is None else min(wanted[1], weeks.last)
    if hi < lo:
        raise InputError(Problem(
            Location("--weeks"),
            f"the log has no weeks in that range (it covers {label(weeks.first)}.."
            f"{label(weeks.last)})", "a range of weeks inside the log"))
    return lo, hi
