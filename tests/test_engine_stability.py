"""Demand the organisation cannot serve is reported, in bounded time and memory."""

from __future__ import annotations

import time

from test_engine_scenarios import WEEK, D, mmc, play, scenario, team, tier
from whorunsit.engine.metrics import tally
from whorunsit.model import DeploymentPolicy


def test_overloaded_queue_is_flagged_unstable():
    # utilisation 1.5: the queue grows by half a ticket an hour, for a year
    began = time.perf_counter()
    m, rep = play(mmc(1.5, 1, 1.0, horizon=52 * WEEK, warmup=WEEK))
    assert time.perf_counter() - began < 20
    assert m["queues.unstable"] == 0.0  # not stopped by the cap: judged by stats/stability
    assert m["incidents.unresolved"] > 1000
    assert m["teams.q.utilisation"] > 0.99
    # the work that arrived, not the work done: about 1.5 responder-hours an hour
    assert 1.4 < m["teams.q.offered_load"] < 1.6
    assert m["teams.q.queue_growth"] > 1000


def test_runaway_queue_stops_the_replication_at_the_cap():
    # utilisation 50: a year would queue 400,000 tickets; the cap stops it early
    began = time.perf_counter()
    m, rep = play(mmc(50.0, 1, 1.0, horizon=52 * WEEK, warmup=24.0))
    assert time.perf_counter() - began < 20
    assert rep.overflow
    assert rep.end < 52 * WEEK
    assert rep.waiting <= tally.QUEUE_CAP + 1
    assert m["queues.unstable"] == 1.0
    assert m["delivery.discontinuous"] == 1.0


def test_stable_queue_is_not_flagged():
    m, _ = play(mmc(0.8, 1, 1.0, horizon=26 * WEEK, warmup=WEEK))
    assert m["queues.unstable"] == 0.0
    assert m["delivery.discontinuous"] == 0.0
    assert 0.7 < m["teams.q.offered_load"] < 0.9


def deploys(rate_per_week: float, weeks: int = 26):
    teams = [team("ops", 1), team("dev", 1, kind="delivery")]
    policy = DeploymentPolicy("d", performer="ops", effort=D.fixed(2.0))
    return scenario(teams, [tier("L1", "ops")], deploy=[policy], horizon=weeks * WEEK,
                    warmup=WEEK, app={"owner": "dev", "deployment_policy": "d",
                                      "deployment_rate": rate_per_week / WEEK})


def test_deployment_demand_above_capacity_is_discontinuous():
    # one person, 40 working hours a week, 2 h a deployment: 20 a week at most
    m, _ = play(deploys(30.0))
    assert m["delivery.discontinuous"] == 1.0
    assert m["deployments.throughput_per_week"] < 0.9 * m["deployments.demand_per_week"]
    assert m["deployments.backlog"] > 100


def test_deployment_demand_within_capacity_is_continuous():
    for replication in range(5):
        m, _ = play(deploys(5.0), replication=replication)
        assert m["delivery.discontinuous"] == 0.0


def test_crossed_swarms_never_wait_on_each_other():
    # three apps swarm x+y, y+z and z+x, one responder per team, mixed priorities:
    # holding one team while waiting for another must never close a circle
    import dataclasses

    from whorunsit.model import Application, Detection, SupportPath
    from whorunsit.model.calendar import ALWAYS

    teams = [team("x", 1), team("y", 1), team("z", 1)]
    pairs = {"a": ("x", "y"), "b": ("y", "z"), "c": ("z", "x")}
    paths = tuple(SupportPath(f"p{n}", Detection(0.0), (tier("S", lead, D.exponential(0.3),
                                                              swarm=(other,)),))
                  for n, (lead, other) in pairs.items())
    apps = tuple(Application(n, lead, 0.4, support_path=f"p{n}")
                 for n, (lead, _o) in pairs.items())
    scn = dataclasses.replace(scenario(teams, [], apps=apps, calendar=ALWAYS, horizon=2 * WEEK),
                              support_paths=paths)
    m, rep = play(scn)
    assert m["incidents.count"] > 300
    assert m["incidents.unresolved"] < 15
    assert m["queues.unstable"] == 0.0
