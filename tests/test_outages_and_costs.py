"""Outages as a union of open incidents, and costs that add up to an organisation's bill
(docs/model.md, "Outages" and "Costs")."""

from __future__ import annotations

import glob

import numpy as np
import pytest

from test_engine_handcomputed import TUE, single
from test_engine_scenarios import WEEK, play, rota, team
from whorunsit import api
from whorunsit.engine.metrics.tally import outage_hours, union_length
from whorunsit.model.calendar import ALWAYS

IMPACT = np.array([1.0, 0.5, 0.0, 0.0])  # the default: a P1 is a full outage, a P2 half


def hours(intervals, W=0.0, end=100.0, apps=1):
    app, prio, start, stop = (np.array(x) for x in zip(*intervals, strict=True))
    return outage_hours(app, prio, start, stop, IMPACT, apps, W, end)


def test_overlapping_p1_and_p2_are_one_full_outage_then_a_half():
    # P1 from 0 to 4 h and a P2 from 2 to 6 h: 4 h fully down, then 2 h half down
    assert hours([(0, 0, 0.0, 4.0), (0, 1, 2.0, 6.0)]) == [pytest.approx(5.0)]


def test_two_p1s_at_once_are_one_outage():
    assert hours([(0, 0, 1.0, 3.0), (0, 0, 2.0, 5.0), (0, 0, 2.5, 2.7)]) == [4.0]


def test_a_p2_inside_a_p1_adds_nothing_and_p3_p4_are_not_outages():
    assert hours([(0, 0, 0.0, 10.0), (0, 1, 2.0, 3.0), (0, 2, 20.0, 30.0),
                  (0, 3, 40.0, 50.0)]) == [10.0]


def test_applications_are_apart_and_the_window_clips():
    # app 0: a P1 from before the window to inside it; app 1: a P2 past the end
    got = hours([(0, 0, -5.0, 3.0), (1, 1, 95.0, 130.0), (1, 1, 10.0, 11.0)], W=0.0,
                end=100.0, apps=3)
    assert got == [3.0, pytest.approx(0.5 * 5.0 + 0.5 * 1.0), 0.0]


def test_downtime_never_exceeds_the_window_however_many_incidents_overlap():
    rng = np.random.default_rng(3)
    n = 5000
    start = rng.uniform(0, 100, n)
    stop = start + rng.exponential(30, n)
    got = outage_hours(np.zeros(n, np.int64), rng.integers(0, 2, n), start, stop, IMPACT,
                       1, 0.0, 100.0)
    assert 0.0 <= got[0] <= 100.0


def test_union_length_matches_a_minute_by_minute_count():
    rng = np.random.default_rng(5)
    app = rng.integers(0, 4, 300)
    lo = np.round(rng.uniform(0, 50, 300), 2)
    hi = lo + np.round(rng.exponential(2, 300), 2) + 0.01
    grid = np.arange(0, 80, 0.01) + 0.005  # the middle of every hundredth of an hour
    expected = [((grid[:, None] >= lo[app == a]) & (grid[:, None] < hi[app == a])).any(1).sum()
                * 0.01 for a in range(4)]
    assert union_length(app, lo, hi, 4) == pytest.approx(expected, abs=1e-6)


def test_heavy_p1_load_reports_at_most_a_years_downtime():
    # benchmarks/tiers3.yaml: steady P1 load, incidents overlapping all the time
    results = api.simulate(api.load("benchmarks/tiers3.yaml"), replications=4, seed=1,
                           workers=1)
    for name in results.names:
        if name.endswith(".downtime_hours"):
            assert (results.samples[name] <= 52 * 168.0 + 1e-6).all()
        if name.endswith(".availability"):
            assert ((results.samples[name] >= 0) & (results.samples[name] <= 1)).all()


def test_an_idle_team_costs_its_headcount():
    scn = single(teams=[team("desk", 2, 100, hourly_cost=50.0)], horizon=WEEK)
    m, _ = play(scn, {0: ([], [])})
    # 100 people x 40 contracted hours x 52 weeks x 50 an hour, and nothing else
    assert m["cost.headcount"] == pytest.approx(100 * 40 * 52 * 50.0)
    assert m["cost.total"] == m["cost.headcount"]
    assert m["cost.labour"] == 0.0


def test_a_24x7_team_is_paid_a_full_time_week_per_person_and_every_hour_on_duty():
    scn = single(teams=[team("noc", 1, 6, hourly_cost=10.0)], calendar=ALWAYS)
    m, _ = play(scn, {0: ([], [])})
    assert m["cost.headcount"] == pytest.approx(6 * 40 * 52 * 10.0)  # shifts
    scn = single(teams=[team("noc", 2, 3, hourly_cost=10.0)], calendar=ALWAYS)
    m, _ = play(scn, {0: ([], [])})
    assert m["cost.headcount"] == pytest.approx(2 * 168 * 52 * 10.0)  # two always on duty


def test_paid_night_work_is_counted_once_by_its_callout_pay():
    pay = {"standby_per_week": 300.0, "callout_fee": 50.0, "callout_per_hour": 20.0}
    scn = single(teams=[team("desk", 2, 4, hourly_cost=50.0)],
                 rotas=[rota("r", ["desk"], members=4, **pay)], pickup=0.5, work=1.5)
    m, _ = play(scn, {0: ([TUE + 3], [1])})
    # the 2 h engaged from 03:00 (answering, then 1.5 h of work) are paid by the callout
    # (50 + 20 x 2), and not again as labour
    assert m["cost.oncall"] == pytest.approx(52 * (300.0 + 50.0 + 20.0 * 2.0))
    assert m["cost.labour"] == 0.0
    assert m["cost.total"] == pytest.approx(m["cost.headcount"] + m["cost.oncall"]
                                            + m["cost.downtime"])


def test_in_hours_work_is_part_of_the_headcount_not_added_to_it():
    scn = single(teams=[team("desk", 2, 4, hourly_cost=50.0)], work=2.0)
    m, _ = play(scn, {0: ([TUE + 10], [3])})
    assert m["cost.labour"] == pytest.approx(52 * 2.0 * 50.0)
    assert m["cost.total"] == pytest.approx(4 * 40 * 52 * 50.0)


@pytest.mark.parametrize("path", sorted(glob.glob("scenarios/*.yaml")))
def test_total_cost_is_the_sum_of_its_printed_parts_on_every_shipped_scenario(path):
    results = api.simulate(api.load(path), replications=3, seed=2, workers=1)
    s = results.samples
    parts = s["cost.headcount"] + s["cost.oncall"] + s["cost.downtime"]
    assert s["cost.total"] == pytest.approx(parts, rel=1e-12)
    assert s["cost.opex"] + s["cost.capex"] + s["cost.downtime"] == pytest.approx(
        s["cost.total"], rel=1e-12)
    # busy time and time off in lieu are inside the paid hours
    assert (s["cost.labour"] + s["cost.toil"] <= s["cost.headcount"] * (1 + 1e-9)).all()
    team_standby = sum(v for k, v in s.items() if k.endswith(".standby_cost"))
    team_callout = sum(v for k, v in s.items() if k.endswith(".callout_cost"))
    assert s["cost.oncall"] == pytest.approx(team_standby + team_callout, rel=1e-9)
