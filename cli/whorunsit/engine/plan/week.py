"""The weekly calendar as the engine sees it: segments, flips and counted working hours.

A week (168 h from Monday 00:00) is cut into segments of three kinds: WORK (working
hours: the team's responders answer), NIGHT (out of hours on a weekday) and WEEKEND
(out of hours on Saturday or Sunday), because rotas may cover all out-of-hours time or
weekends only. The engine turns the calendar into a list of flips (time, kind) up to
the horizon and counts working hours between two instants for utilisation.
"""

from __future__ import annotations

import bisect
import math

from whorunsit.model.calendar import HOURS_PER_WEEK, Calendar
from whorunsit.model.scenario import Window

WORK, NIGHT, WEEKEND = 0, 1, 2
SATURDAY = 5


def _cut(points: set[float], inside) -> list[tuple[float, float, bool]]:
    """Split [0, 168) at ``points``; label each piece by ``inside(midpoint)``; merge."""
    edges = sorted({0.0, HOURS_PER_WEEK} | {p for p in points if 0.0 < p < HOURS_PER_WEEK})
    pieces: list[tuple[float, float, bool]] = []
    for a, b in zip(edges, edges[1:], strict=False):
        label = inside((a + b) / 2)
        if pieces and pieces[-1][2] == label:
            pieces[-1] = (pieces[-1][0], b, label)
        else:
            pieces.append((a, b, label))
    return pieces


class WeekPlan:
    """Segments of the week and the cumulative working hours they imply."""

    def __init__(self, calendar: Calendar):
        self.calendar = calendar
        if calendar.always:
            self.segments = [(0.0, HOURS_PER_WEEK, WORK)]
        else:
            points = {d * 24.0 + h for d in range(7) for h in (calendar.start_hour, calendar.end_hour)}
            points |= {d * 24.0 for d in range(8)}

            def kind(t: float) -> int:
                if calendar.is_working(t):
                    return WORK
                return WEEKEND if int(t // 24) >= SATURDAY else NIGHT

            edges = sorted(p for p in points if 0.0 <= p <= HOURS_PER_WEEK)
            segs: list[tuple[float, float, int]] = []
            for a, b in zip(edges, edges[1:], strict=False):
                if b <= a:
                    continue
                k = kind((a + b) / 2)
                if segs and segs[-1][2] == k:
                    segs[-1] = (segs[-1][0], b, k)
                else:
                    segs.append((a, b, k))
            self.segments = segs
        self._starts = [s[0] for s in self.segments]
        cum = [0.0]
        for a, b, k in self.segments:
            cum.append(cum[-1] + (b - a if k == WORK else 0.0))
        self._cum = cum
        self.working_per_week = cum[-1]

    def kind_at(self, t: float) -> int:
        r = t % HOURS_PER_WEEK
        return self.segments[bisect.bisect_right(self._starts, r) - 1][2]

    def flips(self, horizon: float) -> list[tuple[float, int]]:
        """(time, kind) at time 0 and at every later segment start before ``horizon``."""
        out: list[tuple[float, int]] = []
        weeks = int(math.ceil(horizon / HOURS_PER_WEEK)) + 1
        for w in range(weeks):
            base = w * HOURS_PER_WEEK
            for a, _b, k in self.segments:
                t = base + a
                if t >= horizon:
                    return out
                if out and out[-1][1] == k:
                    continue
                out.append((t, k))
        return out

    def working_hours(self, t: float) -> float:
        """Working hours elapsed between time 0 and ``t``."""
        if t <= 0.0:
            return 0.0
        w, r = divmod(t, HOURS_PER_WEEK)
        i = bisect.bisect_right(self._starts, r) - 1
        a, _b, k = self.segments[i]
        part = self._cum[i] + (r - a if k == WORK else 0.0)
        return w * self.working_per_week + part


def window_flips(windows: tuple[Window, ...], horizon: float) -> list[tuple[float, bool]]:
    """(time, open) for weekly change windows up to ``horizon``; a window may wrap
    past Sunday midnight (end before start)."""
    spans: list[tuple[float, float]] = []
    for w in windows:
        start, end = w.start % HOURS_PER_WEEK, w.end % HOURS_PER_WEEK
        if end > start:
            spans.append((start, end))
        elif end < start:
            spans.extend([(start, HOURS_PER_WEEK), (0.0, end)])
        else:
            spans.append((0.0, HOURS_PER_WEEK))
    points = {p for s in spans for p in s}
    pieces = _cut(points, lambda t: any(a <= t < b for a, b in spans))
    out: list[tuple[float, bool]] = []
    weeks = int(math.ceil(horizon / HOURS_PER_WEEK)) + 1
    for wk in range(weeks):
        base = wk * HOURS_PER_WEEK
        for a, _b, is_open in pieces:
            t = base + a
            if t >= horizon:
                return out
            if out and out[-1][1] == is_open:
                continue
            out.append((t, is_open))
    return out
