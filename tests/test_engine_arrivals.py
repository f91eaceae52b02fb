"""Arrivals by hour of week: the share in working hours, the weekly rate, common random
numbers, and nothing changed when a scenario does not set a profile."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from test_engine_scenarios import WEEK, D, scenario, team, tier
from whorunsit import api
from whorunsit.engine.plan.plan import Plan
from whorunsit.engine.plan.week import WEEKEND, WORK, WeekPlan
from whorunsit.engine.random.arrivals import ArrivalProfile, incident_starts
from whorunsit.engine.random.draws import Incidents
from whorunsit.engine.random.streams import stream
from whorunsit.errors import InputError
from whorunsit.model import Calendar
from whorunsit.model.calendar import ALWAYS

#: z for a two-sided 99.9% interval: 20 checks per run stay quiet by chance
Z = 3.29


def one_app(share, rate=60.0 / WEEK, weeks=52, calendar=None, **kw):
    return scenario([team("dev", 2)], [tier("L1", "dev", D.exponential(0.5))], rate=rate,
                    horizon=weeks * WEEK, calendar=calendar,
                    app={"in_hours_share": share}, **kw)


def starts(scn, replications=10, seed=7):
    plan = Plan(scn)
    return [Incidents(plan, plan.apps[0], seed, r).start_array for r in range(replications)]


@pytest.mark.parametrize("share", [0.0, 0.31, 0.69, 0.9, 1.0])
@pytest.mark.parametrize("calendar", [Calendar(), Calendar((0, 1, 2, 3, 4, 5), 8.0, 18.0)],
                         ids=["mon-fri-9-17", "mon-sat-8-18"])
def test_share_in_working_hours_matches_the_setting(share, calendar):
    times = np.concatenate(starts(one_app(share, calendar=calendar)))
    n = len(times)
    inside = sum(calendar.is_working(t) for t in times)
    half = Z * math.sqrt(share * (1 - share) / n)
    assert abs(inside / n - share) <= half + 1e-12, (inside / n, share, n)


@pytest.mark.parametrize("share", [None, 0.2, 0.7, 1.0])
def test_the_weekly_rate_is_the_applications_rate(share):
    rate, weeks, reps = 60.0 / WEEK, 52, 10
    counts = [len(s) for s in starts(one_app(share, rate, weeks), reps)]
    expected = rate * weeks * WEEK * reps
    assert abs(sum(counts) - expected) <= Z * math.sqrt(expected)


def test_out_of_hours_arrivals_are_even_across_nights_and_weekends():
    calendar = Calendar()
    week = WeekPlan(calendar)
    times = np.concatenate(starts(one_app(0.7, calendar=calendar)))
    kinds = np.array([week.kind_at(t) for t in times])
    out = kinds != WORK
    weekend = (kinds == WEEKEND).sum() / out.sum()
    p = 48.0 / 128.0   # weekend hours among out-of-hours hours
    assert abs(weekend - p) <= Z * math.sqrt(p * (1 - p) / out.sum())


def test_arrivals_are_sorted_inside_the_horizon_and_the_profile_inverts():
    profile = ArrivalProfile(WeekPlan(Calendar()), 0.69)
    assert profile.cumulative(WEEK) == pytest.approx(WEEK)
    assert profile.cumulative(13 * WEEK) == 13 * WEEK   # whole weeks: exactly
    clock = np.linspace(0.0, 3 * WEEK, 1001)[:-1]
    t = profile.times(clock, 3 * WEEK)
    assert np.all(np.diff(t) >= 0) and t[-1] < 3 * WEEK
    back = np.array([profile.cumulative(x) for x in t])
    np.testing.assert_allclose(back, clock, atol=1e-9)
    # in working hours the clock runs 0.69 x 168 / 40 times as fast as real time
    assert profile.cumulative(10.0) - profile.cumulative(9.0) == pytest.approx(0.69 * 4.2)
    for s in starts(one_app(0.69, weeks=3, warmup=0.0), 3):
        assert np.all(np.diff(s) >= 0) and (s.min() >= 0) and s.max() < 3 * WEEK


def test_no_profile_draws_exactly_what_even_arrivals_always_drew():
    rng, old = stream(5, 3, "arrivals", "app"), stream(5, 3, "arrivals", "app")
    rate, horizon = 0.3, 13 * WEEK
    n = int(old.poisson(rate * horizon))
    np.testing.assert_array_equal(incident_starts(rng, rate, horizon, None),
                                  np.sort(old.uniform(0.0, horizon, n)))
    np.testing.assert_array_equal(rng.random(4), old.random(4))


def test_a_profile_keeps_each_incidents_draws_common_random_numbers():
    # over whole weeks the count is the same too: only the start times move
    plan_even, plan_bunched = Plan(one_app(None, weeks=13)), Plan(one_app(0.69, weeks=13))
    for r in range(5):
        even = Incidents(plan_even, plan_even.apps[0], 11, r)
        bunched = Incidents(plan_bunched, plan_bunched.apps[0], 11, r)
        assert even.n == bunched.n
        assert even.prio == bunched.prio and even.alert == bunched.alert
        assert even.tiers == bunched.tiers
        assert not np.array_equal(even.start_array, bunched.start_array)


def test_results_with_a_profile_do_not_depend_on_worker_count(monkeypatch):
    from whorunsit.engine import runner

    monkeypatch.setattr(runner, "SMALL_RUN_ITEMS", 0)  # real workers, however small the run
    scn = dataclasses.replace(one_app(0.69, weeks=4), replications=6, seed=3)
    one, two = api.simulate(scn, workers=1), api.simulate(scn, workers=2)
    for name in one.names:
        np.testing.assert_array_equal(one.samples[name], two.samples[name], err_msg=name)


def test_bunched_arrivals_mean_fewer_callouts():
    # P1s all call someone out of hours; bunching them into working hours calls fewer
    from whorunsit.model import PayRules, Rota

    rota = Rota("dev", ("dev",), 4, pay=PayRules(callout_fee=100.0))
    common = dict(rate=10.0 / WEEK, weeks=13, rotas=[rota], replications=20, seed=5,
                  mix=(1, 0, 0, 0))
    even = api.simulate(one_app(None, **common), workers=1)
    bunched = api.simulate(one_app(0.9, **common), workers=1)
    e = even.estimate("oncall.callouts_per_week")
    b = bunched.estimate("oncall.callouts_per_week")
    # 10/week x 76% out of hours ~ 7.6 against 10/week x 10% = 1
    assert b.high < e.low
    assert b.value == pytest.approx(1.0, abs=0.5) and e.value == pytest.approx(7.6, abs=1.0)


def test_the_plan_refuses_a_share_no_calendar_can_meet():
    with pytest.raises(InputError, match="no out-of-hours time"):
        Plan(one_app(0.7, calendar=ALWAYS))
    with pytest.raises(InputError, match="between 0 and 1"):
        Plan(one_app(1.5))
    # all working hours and all arrivals in them: even arrivals, the fast path's too
    assert Plan(one_app(1.0, calendar=ALWAYS)).apps[0].arrivals is None


def test_applications_with_the_same_share_share_a_profile():
    plan = Plan(one_app(0.69))
    again = plan._arrivals(plan.scenario.applications[0])
    assert again is plan.apps[0].arrivals
