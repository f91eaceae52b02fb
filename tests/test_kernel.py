"""The compiled engine (``kernel``) gives exactly the Python engine's results.

Exact equality, not a tolerance: the kernel draws the same numbers, plays the same
events in the same order and adds the same floats in the same order, and the metrics
are computed by the same ``tally.finish``. Every shipped scenario (short horizons), the
flagship benchmark, overloaded queues and random small organisations are played by
both engines.
"""

from __future__ import annotations

import dataclasses
import glob
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference.replication import Replication
from test_engine_invariants import organisations
from test_engine_scenarios import WEEK, D, mmc, rota, scenario, team, tier
from whorunsit.engine.chunks import merge, run_chunk
from whorunsit.engine.loop import kernel
from whorunsit.engine.loop import kernel_state as ks
from whorunsit.engine.metrics import tally
from whorunsit.engine.plan.plan import Plan, plan_for
from whorunsit.engine.random import kernel_draws
from whorunsit.engine.random.draws import ATTEMPTS, Deployments, Incidents
from whorunsit.engine.runner import Runner
from whorunsit.model import Approval, DeploymentPolicy, RotaCover, Window
from whorunsit.scenario import load_scenario

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.yaml")))


def reference(plan, replication: int, seed: int):
    """One replication on the Python loop (``replication.Replication``)."""
    return Replication(plan, replication, seed).run()


def same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def assert_parity(scn, replications=range(3), seed: int = 11) -> None:
    plan = plan_for(scn)
    for r in replications:
        m1, h1 = Replication(plan, r, seed).run()
        m2, h2 = kernel.run_replication(plan, r, seed)
        assert list(m1) == list(m2)
        bad = {k: (m1[k], m2[k]) for k in m1 if not same(m1[k], m2[k])}
        assert not bad, f"replication {r}: {bad}"
        for k in h1:
            assert np.array_equal(h1[k], h2[k]), k


def shortened(path: str, weeks: int = 3):
    scn = load_scenario(path)
    return dataclasses.replace(scn, horizon=weeks * WEEK, warmup=min(scn.warmup, 24.0))


@pytest.mark.parametrize("path", SCENARIOS, ids=os.path.basename)
def test_shipped_scenarios(path):
    scn = shortened(path)
    assert kernel.eligible(scn) and Runner(scn, 1, 1).engine in ("kernel", "python")
    assert_parity(scn)


@pytest.mark.parametrize("calendar", ["office", "24x7"])
def test_swarms_out_of_hours_on_rotas_and_best_endeavours(calendar):
    """Crossed swarms (x+y, y+z, z+x) with misroutes and bounces, a rota shared by two
    of the teams, best endeavours for the third, office hours or 24x7: every part of a
    swarm is homed, asked, queued and freed as the Python loop does."""
    import dataclasses as dc

    from test_engine_scenarios import best_endeavours
    from whorunsit.model import Application, Detection, SupportPath
    from whorunsit.model.calendar import ALWAYS, Calendar

    teams = [team("x", 1, 3), team("y", 1, 3),
             team("z", 1, 2, **best_endeavours(0.6, 1.0, 2.0))]
    pairs = {"a": ("x", "y"), "b": ("y", "z"), "c": ("z", "x")}
    paths = tuple(SupportPath(f"p{n}", Detection(0.5, D.exponential(0.1), D.exponential(0.3)),
                              (tier("S", lead, D.exponential(0.5), swarm=(other,),
                                    resolve=0.6, misroute=0.2, misroute_team="y",
                                    pickup=D.exponential(0.1)),
                               tier("L2", "owner", D.lognormal(1.0, 4.0))))
                  for n, (lead, other) in pairs.items())
    apps = tuple(Application(n, lead, 0.15, (0.3, 0.3, 0.2, 0.2), support_path=f"p{n}")
                 for n, (lead, _o) in pairs.items())
    rotas = [rota("r", ["x", "y"], cover=RotaCover.OUT_OF_HOURS, toil_hours_per_callout=4.0)]
    scn = dc.replace(scenario(teams, [], apps=apps, rotas=rotas, horizon=3 * WEEK,
                              warmup=24.0, calendar=ALWAYS if calendar == "24x7" else Calendar()),
                     support_paths=paths)
    assert kernel.eligible(scn)
    assert_parity(scn, range(3))


def test_the_sre_scenario_over_its_whole_horizon():
    scn = load_scenario(os.path.join(ROOT, "scenarios", "you-build-it-sre-run-it.yaml"))
    assert kernel.eligible(scn) and Runner(scn, 1, 1).engine == "kernel"
    assert_parity(scn, replications=[0, 1])


@pytest.mark.parametrize("ops_cap", [0.05, 0.5])
def test_error_budgets_spent_and_ops_caps_hand_the_pager_back(ops_cap):
    """Tight budgets (a week's 99.5% is 0.84 h) over two-day periods and a low or usual
    ops cap: the pager goes back to the delivery team and returns, many times."""
    from whorunsit.model import ErrorBudgetPolicy
    from whorunsit.model.calendar import ALWAYS

    teams = [team("sre", 2, 4, kind="sre"), team("dev", 2, 4, kind="delivery")]
    policy = ErrorBudgetPolicy("sre", ("app",), ops_cap=ops_cap, budget_period=48.0)
    tiers = [tier("L1", "sre", D.exponential(1.5), resolve=0.7, handoff=D.exponential(0.3)),
             tier("L2", "owner", D.lognormal(1.0, 4.0))]
    scn = scenario(teams, tiers, rate=0.4, policies=(policy,), calendar=ALWAYS,
                   horizon=4 * WEEK, warmup=24.0,
                   app={"owner": "dev", "availability_target": 0.995})
    assert kernel.eligible(scn)
    assert_parity(scn, range(3))
    m, _ = kernel.run_replication(plan_for(scn), 0, 11)
    assert 0 < m["teams.sre.resolved_share"] < 1  # both held the pager at times


def test_flagship_benchmark_whole_year():
    scn = load_scenario(os.path.join(ROOT, "benchmarks", "at-scale-30.yaml"))
    assert kernel.eligible(scn)
    assert_parity(scn, replications=[0])
    assert_parity(dataclasses.replace(scn, horizon=6 * WEEK), replications=[1, 2])


def test_overloaded_and_runaway_queues():
    assert_parity(mmc(1.5, 1, 1.0, horizon=8 * WEEK, warmup=WEEK), range(2))
    # past the 20,000 cap: the replication stops early, the same instant on both
    assert_parity(mmc(50.0, 1, 1.0, horizon=10 * WEEK, warmup=24.0), range(1))


def busy_deployments(weeks: int = 6):
    """Boards, two change windows (one across midnight Sunday), a crew, pre-emption, a
    misroute team, a shared rota with TOIL, and 60% of changes failing (reworks)."""
    teams = [team("ops", 2, 4), team("dev", 2, 5)]
    tiers = [tier("L1", "ops", D.exponential(0.5), resolve=0.5, misroute=0.2,
                  misroute_team="dev", handoff=D.exponential(0.2)),
             tier("L2", "owner", D.lognormal(1.0, 4.0))]
    rotas = [rota("r", ["ops", "dev"], cover=RotaCover.OUT_OF_HOURS, toil_hours_per_callout=8.0)]
    policy = DeploymentPolicy("d", performer="ops", effort=D.exponential(3.0),
                              approval=Approval("board", board_at=34.0, board_every=WEEK,
                                                capacity=6),
                              change_windows=(Window(160.0, 10.0), Window(90.0, 94.0)),
                              concurrency=2)
    return scenario(teams, tiers, rate=0.3, rotas=rotas, deploy=[policy],
                    horizon=weeks * WEEK, warmup=24.0,
                    app={"owner": "dev", "deployment_policy": "d", "deployment_rate": 0.2,
                         "change_failure_rate": 0.6})


def test_deployments_boards_windows_crews_and_rework():
    assert_parity(busy_deployments(), range(4))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(), st.integers(0, 3))
def test_random_organisations(scn, replication):
    if not kernel.eligible(scn):
        return
    assert_parity(scn, [replication])


@pytest.mark.parametrize("build", [
    lambda: shortened(os.path.join(ROOT, "scenarios", "you-build-it-ops-run-it-at-scale.yaml"),
                      weeks=13),
    lambda: busy_deployments(weeks=26),
], ids=["ops-at-scale", "busy-deployments"])
def test_draws_are_the_python_engines(build):
    plan = Plan(build())
    dr, incs, times = kernel_draws.draw(plan, 5, 2, spare=3)
    for a, app in enumerate(plan.apps):
        inc = Incidents(plan, app, 5, 2)
        lo = dr.inc_off[a]
        rows = slice(lo, lo + inc.n)
        assert np.array_equal(dr.inc_start[rows], inc.start_array)
        assert np.array_equal(incs[a].detect_array, inc.detect_array)
        assert dr.inc_prio[rows].tolist() == inc.prio
        assert dr.inc_alert[rows].tolist() == inc.alert
        for j in range(len(app.tiers)):
            for col, values in enumerate(inc.tiers[j]):
                assert dr.tier[rows, j, col].tolist() == values
        dep = Deployments(plan, app, 5, 2)
        assert np.array_equal(times[a], dep.times_array)
        rework = dr.dep_rows[a] - dep.n * ATTEMPTS
        for k in range(rework):
            dep.row(0, ATTEMPTS + k)  # the rework rows, drawn one at a time
        lo = dr.dep_off[a]
        rows = slice(lo, lo + dr.dep_rows[a])
        for mine, theirs in ((dr.effort, dep.effort), (dr.pipeline, dep.pipeline),
                             (dr.approval_delay, dep.approval), (dr.fail, dep.fail),
                             (dr.dep_prio, dep.prio), (dr.dep_alert, dep.alert),
                             (dr.dep_detect, dep.detect)):
            assert mine[rows].tolist() == theirs
        for j in range(len(app.tiers)):
            for col, values in enumerate(dep.tiers[j]):
                assert dr.tier[dr.n_inc + lo:dr.n_inc + lo + dr.dep_rows[a], j, col].tolist() \
                    == values
    if plan.apps[0].change_failure_rate > 0.5:
        assert dr.dep_rows.sum() > dr.dep_n.sum() * ATTEMPTS  # rework rows were compared


@pytest.mark.parametrize("workers", [1, 2])
def test_runner_uses_the_kernel_with_identical_results(workers):
    scn = shortened(os.path.join(ROOT, "scenarios", "you-build-it-ops-run-it.yaml"), weeks=4)
    with Runner(scn, 3, workers) as fast:
        assert fast.engine == "kernel"
        a, ha = merge(fast.run(0, 6))
    # the Python loop, the tests' reference, over the same replications
    b, hb = merge([run_chunk(scn, 3, 0, 6, play=reference)])
    assert a.keys() == b.keys()
    for k in a:
        assert all(same(x, y) for x, y in zip(a[k], b[k], strict=True)), k
    for k in ha:
        assert np.array_equal(ha[k], hb[k])


def _play_on(plan, replication: int, seed: int, state):
    """A replication played on the state ``state(tickets, deps)`` gives."""
    prep = kernel._prepared(plan)
    dr, incs, dep_times = kernel_draws.draw(plan, seed, replication, prep.caps["rework"],
                                            prep.kp)
    ext, arrivals = kernel._events(plan, incs, dep_times)
    deps = int(dr.dep_rows.sum())
    st = state(arrivals + deps, deps)
    prep.play(prep.kp, dr, st, *ext)
    assert st.int_slots[ks.STATUS] == 0
    return tally.finish(kernel._Counters(plan, st, incs, arrivals))


def _poison(arena) -> None:
    """Garbage wherever ``Arena.clean`` leaves the last replication's values: what the
    loop reads there before writing shows up in the metrics (or crashes)."""
    st = arena.state
    tickets = int(st.int_slots[ks.TICKETS])
    garbage = {np.dtype(np.int64): 987_654_321, np.dtype(np.float64): np.nan,
               np.dtype(np.bool_): True}
    for groups in ks.ASSIGNED.values():
        for names in groups.values():
            for name in names:
                getattr(st, name)[:] = garbage[getattr(st, name).dtype]
    for name in ("queue_key", "queue_part", "ready_ring", "board_ring"):
        getattr(st, name)[:] = garbage[getattr(st, name).dtype]
    for names in ks.ADDED.values():
        for name in names:
            getattr(st, name)[:tickets] = garbage[getattr(st, name).dtype]
    for buf in arena._small:
        buf[:] = garbage[buf.dtype]
    st.int_slots[ks.TICKETS] = tickets  # what clean() reads to know how far tickets went


@pytest.mark.parametrize("build", [
    lambda: busy_deployments(weeks=8),
    lambda: shortened(os.path.join(ROOT, "scenarios", "you-build-it-ops-run-it-at-scale.yaml"),
                      weeks=6),
    lambda: mmc(1.5, 1, 1.0, horizon=4 * WEEK, warmup=WEEK),
], ids=["busy-deployments", "ops-at-scale", "overloaded"])
def test_a_reused_state_plays_as_a_new_one(build):
    """``kernel_state.Arena.clean`` zeroes only what the loop reads before writing; a
    state reused with garbage everywhere else gives a new state's metrics."""
    plan = plan_for(build())
    shape = kernel._prepared(plan).shape
    n_teams, n_rotas, n_apps, n_policies, responders = shape

    def new(tickets, deps):
        return ks.new_state(n_teams, n_rotas, n_apps, n_policies, tickets, deps, responders,
                            4 * tickets + 4 * deps + 1024, 4096, 8 * tickets)

    arena = ks.Arena(n_teams, n_rotas, n_apps, n_policies, 20_000, 5_000, responders,
                     100_000, 4096, 160_000)

    def reused(tickets, deps):
        assert arena.fits(tickets, deps, 4 * tickets + 4 * deps + 1024, 4096, 8 * tickets)
        return arena.clean()

    for r in range(4):
        m1, h1 = _play_on(plan, r, 13, new)
        _poison(arena)
        m2, h2 = _play_on(plan, r, 13, reused)
        assert list(m1) == list(m2)
        bad = {k: (m1[k], m2[k]) for k in m1 if not same(m1[k], m2[k])}
        assert not bad, f"replication {r}: {bad}"
        for k in h1:
            assert np.array_equal(h1[k], h2[k]), k


def test_replications_do_not_depend_on_the_ones_before():
    """The state and the capacities kept between replications change nothing: a
    replication alone gives what it gives after others (larger and smaller)."""
    scn = busy_deployments(weeks=6)
    after = [kernel.run_replication(plan_for(scn), r, 3) for r in (2, 0, 1, 3)]
    for r, (m, h) in zip((2, 0, 1, 3), after, strict=True):
        kernel._PREPARED.clear()
        alone, h_alone = kernel.run_replication(Plan(scn), r, 3)
        assert all(same(m[k], alone[k]) for k in m) and list(m) == list(alone)
        for k in h:
            assert np.array_equal(h[k], h_alone[k])
