"""When in the week incidents arrive: even, or bunched into working hours.

An application with ``in_hours_share`` s has a Poisson process whose rate is
piecewise constant over the week: ``rate x s x 168 / W`` in the calendar's W working
hours and ``rate x (1 - s) x 168 / (168 - W)`` out of hours, so a week still brings
``rate x 168`` incidents on average and a share s of them in working hours.

Such a process is drawn as an even one on its own clock (a time change): with
``L(t)`` the integral of the relative rate from 0 to t (``L(168) = 168``), the count
is Poisson with mean ``rate x L(horizon)``, the arrivals are even on ``[0, L(horizon))``
and each is mapped back to the instant where ``L`` reaches it. It takes the same draws,
in the same order, from the same stream as even arrivals: incident i keeps its
priority, channel and tier draws whatever the profile (common random numbers), and
over whole weeks even its count.
"""

from __future__ import annotations

import bisect

import numpy as np

from whorunsit.engine.plan.week import WORK, WeekPlan
from whorunsit.model.calendar import HOURS_PER_WEEK


class ArrivalProfile:
    """The relative arrival rate over the week (1 = the week's average rate)."""

    def __init__(self, week: WeekPlan, in_hours: float):
        working = week.working_per_week
        inside = in_hours * HOURS_PER_WEEK / working
        outside = (1.0 - in_hours) * HOURS_PER_WEEK / (HOURS_PER_WEEK - working)
        self.in_hours = in_hours
        #: every segment of the week: start, relative rate, L at its start
        self._starts: list[float] = []
        self._rates: list[float] = []
        self._cum: list[float] = []
        acc = 0.0
        for a, b, kind in week.segments:
            rate = inside if kind == WORK else outside
            self._starts.append(a)
            self._rates.append(rate)
            self._cum.append(acc)
            acc += (b - a) * rate
        # the inverse only looks at segments where anything arrives (L rises there)
        live = [i for i, r in enumerate(self._rates) if r > 0.0]
        self._live_starts = np.array([self._starts[i] for i in live])
        self._live_rates = np.array([self._rates[i] for i in live])
        self._live_cum = np.array([self._cum[i] for i in live])

    def cumulative(self, t: float) -> float:
        """L(t): expected arrivals in [0, t) at a weekly average rate of one per hour."""
        weeks, rest = divmod(t, HOURS_PER_WEEK)
        i = bisect.bisect_right(self._starts, rest) - 1
        return weeks * HOURS_PER_WEEK + self._cum[i] + (rest - self._starts[i]) * self._rates[i]

    def times(self, clock: np.ndarray, horizon: float) -> np.ndarray:
        """The instants at which L reaches each value of ``clock`` (ascending stays
        ascending), kept below the horizon against rounding."""
        weeks = np.floor(clock / HOURS_PER_WEEK)
        rest = np.clip(clock - weeks * HOURS_PER_WEEK, 0.0, HOURS_PER_WEEK)
        i = np.maximum(np.searchsorted(self._live_cum, rest, side="right") - 1, 0)
        t = weeks * HOURS_PER_WEEK + self._live_starts[i] + (rest - self._live_cum[i]) / \
            self._live_rates[i]
        return np.minimum(t, np.nextafter(horizon, 0.0))


def incident_starts(rng: np.random.Generator, rate: float, horizon: float,
                    profile: ArrivalProfile | None) -> np.ndarray:
    """Sorted start times of an application's spontaneous incidents in [0, horizon):
    a count, then that many uniforms, from ``rng`` (the application's arrivals stream)."""
    if profile is None:
        n = int(rng.poisson(rate * horizon)) if rate > 0 else 0
        return np.sort(rng.uniform(0.0, horizon, n))
    span = profile.cumulative(horizon)
    n = int(rng.poisson(rate * span)) if rate > 0 else 0
    return profile.times(np.sort(rng.uniform(0.0, span, n)), horizon)
