"""The working-hours calendar. Simulation time is hours since Monday 00:00 of week 1.

Everything outside working hours is out of hours. ``always`` makes every hour a
working hour (a 24x7 operation, and the queueing-theory test networks).
"""

from __future__ import annotations

from dataclasses import dataclass

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0
#: a year is 52 weeks everywhere: annual money in reports, per-year thresholds in gates
WEEKS_PER_YEAR = 52.0
HOURS_PER_YEAR = WEEKS_PER_YEAR * HOURS_PER_WEEK
#: a full-time week, for a 24x7 calendar whose people work shifts
FULL_TIME_HOURS_PER_WEEK = 40.0
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


ALWAYS = Calendar(always=True)


def paid_hours_per_week(calendar: Calendar, headcount: int, responders: int) -> float:
    """The hours a team is paid for each week (its headcount cost): every person's
    working week (a full-time week where the calendar is 24x7, covered in shifts), and
    never fewer than the hours its responders are on duty (one responder alone covering
    24x7 is paid for all 168 hours)."""
    if not calendar.always:
        return headcount * calendar.working_hours_per_week
    return max(headcount * FULL_TIME_HOURS_PER_WEEK, responders * calendar.working_hours_per_week)
