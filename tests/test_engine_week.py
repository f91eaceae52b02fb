"""The weekly calendar as segments, flips and counted working hours."""

from __future__ import annotations

import pytest

from whorunsit.engine.plan.week import NIGHT, WEEKEND, WORK, WeekPlan, window_flips
from whorunsit.model import Calendar, Window
from whorunsit.model.calendar import ALWAYS


def test_default_week_segments():
    week = WeekPlan(Calendar())
    assert week.working_per_week == 40.0
    assert week.kind_at(9.0) == WORK
    assert week.kind_at(8.99) == NIGHT
    assert week.kind_at(17.0) == NIGHT
    assert week.kind_at(4 * 24 + 18) == NIGHT  # Friday evening
    assert week.kind_at(5 * 24 + 12) == WEEKEND  # Saturday noon
    assert week.kind_at(6 * 24 + 23.9) == WEEKEND
    assert week.kind_at(168.0 + 3) == NIGHT  # Monday early morning, next week


def test_flips_alternate_and_start_at_zero():
    flips = WeekPlan(Calendar()).flips(2 * 168.0)
    assert flips[0] == (0.0, NIGHT)
    assert flips[1] == (9.0, WORK)
    assert flips[2] == (17.0, NIGHT)
    assert (5 * 24.0, WEEKEND) in flips
    assert all(a[1] != b[1] for a, b in zip(flips, flips[1:], strict=False))
    assert sum(1 for _t, k in flips if k == WORK) == 10


def test_working_hours_counts_only_working_time():
    week = WeekPlan(Calendar())
    assert week.working_hours(9.0) == 0.0
    assert week.working_hours(10.5) == 1.5
    assert week.working_hours(24.0) == 8.0
    assert week.working_hours(168.0) == 40.0
    assert week.working_hours(168.0 + 24 + 12) == pytest.approx(40.0 + 8 + 3)


def test_always_is_one_working_segment():
    week = WeekPlan(ALWAYS)
    assert week.flips(500.0) == [(0.0, WORK)]
    assert week.working_hours(500.0) == 500.0


def test_change_windows_including_one_that_wraps_past_sunday():
    flips = window_flips((Window(2 * 24 + 18, 2 * 24 + 22), Window(167.0, 1.0)), 168.0 * 2)
    assert flips[0] == (0.0, True)  # Sunday 23:00 - Monday 01:00 is open at time 0
    assert (1.0, False) in flips
    assert (66.0, True) in flips and (70.0, False) in flips
    assert (167.0, True) in flips
    assert (168.0 + 1.0, False) in flips
