"""The fast path against the general engine (same values, to the last bit) and against
queueing theory (Erlang C per tier of a Jackson network); and the eligibility rule.
(Its compiled pieces: ``test_fastpath_kernel``; its percentiles and histogram counts:
``test_fastpath_metrics``.)"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from test_engine_scenarios import D, scenario, team, tier
from whorunsit.engine.chunks import run_chunk
from whorunsit.engine.erlang import jackson_tandem
from whorunsit.engine.fastpath import fastpath
from whorunsit.model import (
    Application,
    DeploymentPolicy,
    Detection,
    ErrorBudgetPolicy,
    PayRules,
    Rota,
    RotaCover,
    Scenario,
    SupportPath,
)
from whorunsit.model.calendar import ALWAYS
from whorunsit.scenario import load_scenario
from whorunsit.stats.intervals import mean_interval
from whorunsit.stats.results import Results

ROOT = Path(__file__).resolve().parent.parent
WEEK = 168.0


def tiers3(horizon: float = WEEK, warmup: float = 24.0) -> Scenario:
    scn = load_scenario(ROOT / "benchmarks" / "tiers3.yaml")
    return dataclasses.replace(scn, horizon=horizon, warmup=warmup)


def mixed(rate_scale: float = 1.0, horizon: float = 3 * WEEK) -> Scenario:
    """Everything the fast path accepts at once: alerts entering at L2 and worked by a
    bridge at L1, detection delays, pickups, handoffs, knowledge factors and dilution,
    two support paths sharing teams, a rota (standby only), a warm-up."""
    teams = [team("desk", 3, hourly_cost=30.0), team("bridge", 2),
             team("ops", 4, kind="app-ops", funding="capex"),
             team("dev1", 2, kind="delivery"), team("dev2", 2, kind="delivery")]
    tiers = (
        tier("L1", "desk", D.lognormal(0.3, 1.0), alert_team="bridge",
             pickup=D.exponential(0.1), resolve=0.3, handoff=D.exponential(0.5)),
        tier("L2", "ops", D.exponential(0.6), pickup=D.fixed(0.05), resolve=0.5,
             handoff=D.uniform(0.1, 0.3), knowledge_factor=1.5, knowledge_dilution=0.1),
        tier("L3", "owner", D.triangular(0.2, 0.5, 2.0), pickup=D.exponential(0.2)),
    )
    paths = (SupportPath("p", Detection(0.6, D.exponential(0.2), D.lognormal(0.5, 2.0), 1),
                         tiers),
             SupportPath("q", Detection(0.3, D.fixed(0.1), D.exponential(1.0), 0), tiers[1:]))
    apps = tuple(Application(name, owner, rate * rate_scale, (0, 1, 0, 0),
                             downtime_cost_per_hour=cost, support_path=path)
                 for name, owner, rate, cost, path in (("a1", "dev1", 0.5, 100.0, "p"),
                                                       ("a2", "dev2", 0.7, 50.0, "p"),
                                                       ("a3", "dev2", 0.4, 10.0, "q")))
    rota = Rota("ops-rota", ("ops",), 5, RotaCover.OUT_OF_HOURS, PayRules(200.0, 30.0))
    return Scenario("mixed", tuple(teams), apps, paths, calendar=ALWAYS, horizon=horizon,
                    warmup=48.0, rotas=(rota,))


def assert_same(scn: Scenario, replications: int, seed: int):
    fast = fastpath.run_chunk(scn, seed, 0, replications)
    general = run_chunk(scn, seed, 0, replications)
    assert fast.names == general.names
    for i, name in enumerate(fast.names):
        np.testing.assert_array_equal(fast.values[:, i], general.values[:, i], err_msg=name)
    assert fast.histograms.keys() == general.histograms.keys()
    for key, counts in general.histograms.items():
        np.testing.assert_array_equal(fast.histograms[key], counts, err_msg=key)
    return fast


# -- the same values as the general engine -----------------------------------------------
def test_tiers3_gives_the_engines_values_to_the_last_bit():
    assert_same(tiers3(), replications=4, seed=5)


def test_a_network_with_every_eligible_feature_gives_the_engines_values():
    assert_same(mixed(), replications=4, seed=11)


def test_incidents_open_or_undetected_at_the_horizon_count_as_the_engine_counts_them():
    # detection takes days for customers, so some incidents start but are not seen
    # before the horizon; L3 is overloaded, so others are still open at the end
    teams = [team("desk", 2), team("dev", 1, kind="delivery")]
    tiers = [tier("L1", "desk", D.exponential(0.2), resolve=0.2),
             tier("L2", "dev", D.exponential(1.5))]
    scn = scenario(teams, tiers, rate=0.8, mix=(1, 0, 0, 0), calendar=ALWAYS, horizon=WEEK,
                   warmup=12.0, detection=Detection(0.5, D.fixed(0.0), D.exponential(30.0)))
    fast = assert_same(scn, replications=3, seed=2)
    assert fast.values[:, fast.names.index("incidents.unresolved")].min() > 0


def test_priorities_that_call_nobody_out_give_the_engines_values():
    # P3 only: its time to restore is every incident's, and no incident is urgent
    scn = mixed(horizon=WEEK)
    scn = dataclasses.replace(scn, applications=tuple(
        dataclasses.replace(a, priority_mix=(0, 0, 1, 0)) for a in scn.applications))
    fast = assert_same(scn, replications=3, seed=6)
    p3 = fast.values[:, fast.names.index("incidents.P3.time_to_restore.p95")]
    urgent = fast.values[:, fast.names.index("incidents.urgent.time_to_restore.p95")]
    assert np.isfinite(p3).all() and np.isnan(urgent).all()


def test_replications_near_the_queue_cap_are_played_by_the_engine():
    # a cap the compiled loop cannot see (it is a compiled constant): the engine runs as
    # plain Python (WHORUNSIT_JIT=0, the same source), which reads it, in a process of
    # its own
    code = ("from whorunsit.engine.metrics import tally\n"
            "from whorunsit.engine.loop import kernel_loop\n"
            "tally.QUEUE_CAP = kernel_loop.QUEUE_CAP = 60\n"
            "from test_fastpath import WEEK, assert_same, mixed\n"
            "fast = assert_same(mixed(rate_scale=3.0, horizon=WEEK), replications=3, seed=4)\n"
            "print(fast.values[:, fast.names.index('queues.unstable')].max())\n")
    tests = Path(__file__).resolve().parent
    env = {**os.environ, "WHORUNSIT_JIT": "0",
           "PYTHONPATH": os.pathsep.join([str(tests), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, cwd=tests.parent)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-1] == "1.0"


def test_values_do_not_depend_on_how_replications_are_chunked():
    scn = mixed(horizon=WEEK)
    whole = fastpath.run_chunk(scn, 3, 0, 6)
    parts = [fastpath.run_chunk(scn, 3, a, a + 2) for a in (0, 2, 4)]
    np.testing.assert_array_equal(whole.values, np.concatenate([p.values for p in parts]))
    for key, counts in whole.histograms.items():
        np.testing.assert_array_equal(sum(p.histograms[key] for p in parts), counts)


# -- queueing theory -------------------------------------------------------------------------
def test_every_tier_of_tiers3_waits_as_erlang_c_says():
    scn = tiers3(horizon=2 * WEEK)
    res = Results(scn, 17, *fastpath.simulate(scn, replications=60, seed=17))
    theory = jackson_tandem(20.0, [("l1", 4, 0.15, 0.3), ("l2", 10, 0.5, 0.6),
                                   ("l3", 7, 1.0, 1.0)])
    for t in theory:
        for metric, expected in (("queue_wait.mean", t.mean_wait),
                                 ("utilisation", t.utilisation)):
            _m, low, high = mean_interval(res.samples[f"teams.{t.name}.{metric}"], level=0.99)
            assert low <= expected <= high, (t.name, metric, expected, low, high)


# -- who is eligible ----------------------------------------------------------------------------
def test_tiers3_and_the_mixed_network_are_eligible():
    assert fastpath.why_not(tiers3()) == []
    assert fastpath.eligible(mixed())


def test_the_flagship_is_not_and_says_why():
    scn = load_scenario(ROOT / "scenarios" / "you-build-it-ops-run-it.yaml")
    reasons = fastpath.why_not(scn)
    assert "the calendar has out-of-hours time" in reasons
    assert any("deployments" in r for r in reasons)
    assert any("misroutes" in r for r in reasons)
    assert any("priority" in r for r in reasons)


def _with_tiers(scn: Scenario, tiers) -> Scenario:
    path = dataclasses.replace(scn.support_paths[0], tiers=tuple(tiers))
    return dataclasses.replace(scn, support_paths=(path,))


@pytest.mark.parametrize(("change", "reason"), [
    (lambda s: _with_tiers(s, [dataclasses.replace(s.support_paths[0].tiers[0], misroute=0.1),
                               *s.support_paths[0].tiers[1:]]), "misroutes"),
    (lambda s: _with_tiers(s, [dataclasses.replace(s.support_paths[0].tiers[0], swarm=("l2",)),
                               *s.support_paths[0].tiers[1:]]), "swarms"),
    (lambda s: dataclasses.replace(s, applications=(dataclasses.replace(
        s.applications[0], priority_mix=(0.5, 0.5, 0, 0)),)), "more than one priority"),
    (lambda s: dataclasses.replace(s, applications=(dataclasses.replace(
        s.applications[0], deployment_rate=0.1),),
        deployment_policies=(DeploymentPolicy("default"),)), "deployments"),
    (lambda s: dataclasses.replace(s, policies=(ErrorBudgetPolicy("l2", ("service",)),)),
     "error-budget"),
    (lambda s: _with_tiers(s, [dataclasses.replace(t, team="l1")
                               for t in s.support_paths[0].tiers]), "twice"),
])
def test_what_the_fast_path_refuses(change, reason):
    reasons = fastpath.why_not(change(tiers3()))
    assert any(reason in r for r in reasons), reasons


def test_simulate_refuses_an_ineligible_scenario():
    scn = load_scenario(ROOT / "scenarios" / "you-build-it-ops-run-it.yaml")
    with pytest.raises(ValueError, match="fast path cannot play"):
        fastpath.simulate(scn, replications=1)


# -- wired into the runner ----------------------------------------------------------------------
def test_simulate_takes_the_fast_path_with_identical_results_for_any_workers(monkeypatch):
    from whorunsit import api
    from whorunsit.engine import runner as runner_module
    from whorunsit.engine.chunks import merge
    from whorunsit.engine.runner import Runner

    # the fast path on workers, not the small run's single process
    monkeypatch.setattr(runner_module, "SMALL_RUN_ITEMS", 0)

    scn = dataclasses.replace(mixed(horizon=WEEK), replications=6, seed=8)
    calls = []
    real = fastpath.run_chunk
    with monkeypatch.context() as patch:
        patch.setattr(fastpath, "run_chunk", lambda *a: calls.append(a) or real(*a))
        one = api.simulate(scn, workers=1)
    assert calls, "an eligible scenario should be played on the fast path"
    two = api.simulate(scn, workers=2)  # workers receive fastpath.run_chunk itself
    with Runner(scn, scn.seed, workers=1, fast=False) as runner:
        general, _ = merge(runner.run(0, 6))
    for name, values in general.items():
        np.testing.assert_array_equal(one.samples[name], values, err_msg=name)
        np.testing.assert_array_equal(two.samples[name], values, err_msg=name)
