"""The working-hours calendar. Simulation time is hours since Monday 00:00 of week 1.

Everything outside working hours is out of hours. ``always`` makes every hour a
working hour (a 24x7 operation, and the queueing-theory test networks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0
#: a year is 52 weeks everywhere: annual money in reports, per-year thresholds in gates
WEEKS_PER_YEAR = 52.0
HOURS_PER_YEAR = WEEKS_PER_YEAR * HOURS_PER_WEEK
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Calendar:
    #: 0 = Monday .. 6 = Sunday
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start_hour: float = 9.0
    end_hour: float = 17.0
    always: bool = False

    @property
    def working_hours_per_week(self) -> float:
        if self.always:
            return HOURS_PER_WEEK
        return len(self.working_days) * (self.end_hour - self.start_hour)

    def is_working(self, t: float) -> bool:
        if self.always:
            return True
        day = int(t // HOURS_PER_DAY) % 7
        hour = t % HOURS_PER_DAY
        return day in self.working_days and self.start_hour <= hour < self.end_hour

    def next_working_start(self, t: float) -> float:
        """The earliest time >= t that is within working hours."""
        if self.always or self.is_working(t):
            return t
        day_start = math.floor(t / HOURS_PER_DAY) * HOURS_PER_DAY
        for offset in range(8):
            d0 = day_start + offset * HOURS_PER_DAY
            if int(d0 // HOURS_PER_DAY) % 7 not in self.working_days:
                continue
            start = d0 + self.start_hour
            if start >= t:
                return start
        raise ValueError("calendar has no working hours")

    def next_working_end(self, t: float) -> float:
        """When the working period containing t ends (t itself if out of hours)."""
        if self.always:
            return math.inf
        if not self.is_working(t):
            return t
        return math.floor(t / HOURS_PER_DAY) * HOURS_PER_DAY + self.end_hour

    def next_change(self, t: float) -> float:
        """The next instant > t at which in-hours/out-of-hours flips."""
        if self.always:
            return math.inf
        if self.is_working(t):
            return self.next_working_end(t)
        return self.next_working_start(t + 1e-9)


ALWAYS = Calendar(always=True)
