"""Stability verdicts: offered load against capacity, confirmed by a trend test
(stats/stability.py, docs/model.md "Stability")."""

from __future__ import annotations

import math

import numpy as np
import pytest

from test_engine_scenarios import WEEK, D, mmc, scenario, team, tier
from whorunsit import api
from whorunsit.stats import stability
from whorunsit.stats.results import Results


def judge(scn, replications=12, seed=3):
    results = api.simulate(scn, replications=replications, seed=seed, workers=1)
    return results, stability.stability(results.samples, [t.name for t in scn.teams])


def test_growth_test_is_one_sided_and_needs_four_values():
    assert math.isnan(stability.growth_p_value([5.0, 6.0, 7.0]))
    assert stability.growth_p_value([5.0, 6.0, 7.0, 8.0]) < 0.01
    assert stability.growth_p_value([-5.0, -6.0, -7.0, -8.0]) > 0.99
    assert stability.growth_p_value([0.0, 0.0, 0.0, 0.0]) == 1.0
    assert stability.growth_p_value([2.0, 2.0, 2.0, 2.0]) == 0.0
    # symmetric noise around zero: no evidence of growth
    assert stability.growth_p_value([-3.0, 3.0, -1.0, 1.0, 0.0]) == pytest.approx(0.5)


@pytest.mark.parametrize("load", [0.3, 0.45])
def test_a_team_below_half_its_capacity_never_warns(load):
    results, judged = judge(mmc(load, 1, 1.0, horizon=8 * WEEK, warmup=WEEK), replications=20)
    (q,) = judged.teams
    assert q.verdict == stability.STABLE and not judged.unstable and not judged.overflowed
    # the offered load of an M/M/1 queue is its utilisation: rate x mean work
    assert q.low <= load <= q.high


def test_a_team_offered_105_percent_always_warns_and_is_named():
    results, judged = judge(mmc(1.05, 1, 1.0, horizon=26 * WEEK, warmup=WEEK))
    (q,) = judged.unstable
    assert q.team == "q"
    assert q.low <= 1.05 <= q.high  # the load is estimated, not capped at 1 as utilisation
    assert q.p_growth < stability.ALPHA and q.growth > 0
    assert results.estimate("teams.q.utilisation").value <= 1.0


def test_near_capacity_is_a_caution_not_a_verdict():
    _, judged = judge(mmc(0.9, 1, 1.0, horizon=26 * WEEK, warmup=WEEK), replications=20)
    (q,) = judged.teams
    assert q.verdict == stability.NEAR
    assert not judged.unstable


def test_office_hours_team_with_night_and_weekend_backlog_is_not_unstable():
    # tickets arrive around the clock and wait for working hours: the queue swells every
    # night and weekend, yet the team is offered about 40% of its 40-hour week (a little
    # less is counted: work that runs past 17:00 is done outside the pool's hours, as
    # utilisation counts it)
    rate = 0.4 * 2 * 40 / 168  # per hour, for two responders, 1 h of work each
    scn = scenario([team("desk", 2)], [tier("L1", "desk", D.exponential(1.0))], rate=rate,
                   mix=(0, 0, 1, 0), horizon=13 * WEEK, warmup=WEEK)
    _, judged = judge(scn, replications=20)
    (desk,) = judged.teams
    assert desk.verdict == stability.STABLE
    assert desk.low > 0.33 and desk.high < 0.42


def test_the_verdicts_come_from_load_and_growth_together():
    n = 10
    rng = np.random.default_rng(1)
    samples = {
        # growing queues on a lightly loaded team (a warm-up too short): not unstable
        "teams.a.offered_load": 0.4 + 0.01 * rng.standard_normal(n),
        "teams.a.queue_growth": 5.0 + rng.standard_normal(n),
        # load above 1 but no growth: not confirmed
        "teams.b.offered_load": 1.02 + 0.01 * rng.standard_normal(n),
        "teams.b.queue_growth": rng.standard_normal(n),
        # both: unstable
        "teams.c.offered_load": 1.2 + 0.01 * rng.standard_normal(n),
        "teams.c.queue_growth": 300.0 + rng.standard_normal(n),
        "queues.unstable": np.zeros(n),
    }
    judged = stability.stability(samples, ["a", "b", "c"])
    assert [t.verdict for t in judged.teams] == [stability.STABLE, stability.NEAR,
                                                 stability.UNSTABLE]


def test_deployments_above_capacity_are_discontinuous_and_within_are_not():
    from test_engine_stability import deploys

    for rate, expected in ((30.0, True), (5.0, False)):
        results = api.simulate(deploys(rate), replications=8, seed=2, workers=1)
        d = stability.delivery(results.samples)
        assert d.discontinuous is expected, (rate, d)


def test_no_deployment_demand_gives_no_delivery_verdict():
    scn = mmc(0.5, 1, 1.0, horizon=2 * WEEK, warmup=0.0)
    results = api.simulate(scn, replications=4, seed=2, workers=1)
    assert stability.delivery(results.samples) is None
    assert isinstance(results, Results)
