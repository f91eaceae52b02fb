"""The compiled engine (``kernel``): its draws, its reused state and its runner.

Its results are held to the naive oracle (tests/naive/) here for the flagship benchmark
and random small organisations, and per feature in tests/test_naive_oracle.py; that
the same source runs the same as plain Python is tests/test_jit_switch.py.
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

from test_engine_invariants import organisations
from test_engine_scenarios import WEEK, mmc
from test_naive_oracle import assert_agrees, busy_deployments
from whorunsit.engine.chunks import merge, run_chunk
from whorunsit.engine.loop import kernel
from whorunsit.engine.loop import kernel_state as ks
from whorunsit.engine.metrics import tally
from whorunsit.engine.plan.plan import Plan, plan_for
from whorunsit.engine.random import kernel_draws
from whorunsit.engine.random.draws import ATTEMPTS, Deployments, Incidents
from whorunsit.engine.runner import Runner
from whorunsit.scenario import load_scenario

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.yaml")))


def same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def shortened(path: str, weeks: int = 3):
    scn = load_scenario(path)
    return dataclasses.replace(scn, horizon=weeks * WEEK, warmup=min(scn.warmup, 24.0))


def test_flagship_benchmark_whole_year():
    scn = load_scenario(os.path.join(ROOT, "benchmarks", "at-scale-30.yaml"))
    assert kernel.eligible(scn) and Runner(scn, 1, 1).engine == "kernel"
    assert_agrees(scn, replications=[0])
    assert_agrees(dataclasses.replace(scn, horizon=6 * WEEK), replications=[1, 2])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(), st.integers(0, 3))
def test_random_organisations(scn, replication):
    assert kernel.eligible(scn)
    assert_agrees(scn, [replication])


@pytest.mark.parametrize("build", [
    lambda: shortened(os.path.join(ROOT, "scenarios", "you-build-it-ops-run-it-at-scale.yaml"),
                      weeks=13),
    lambda: busy_deployments(weeks=26),
], ids=["ops-at-scale", "busy-deployments"])
def test_draws_are_the_ones_draws_makes(build):
    """``kernel_draws`` (flat arrays, for the loop) and ``draws`` (per application, what
    the oracle and the hand-computed tests read) give the same numbers."""
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
                assert dr.tier_draws[rows, j, col].tolist() == values
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
                assert dr.tier_draws[dr.n_inc + lo:dr.n_inc + lo + dr.dep_rows[a], j, col].tolist() \
                    == values
    if plan.apps[0].change_failure_rate > 0.5:
        assert dr.dep_rows.sum() > dr.dep_n.sum() * ATTEMPTS  # rework rows were compared


@pytest.mark.parametrize("workers", [1, 2])
def test_runner_uses_the_kernel_with_identical_results(workers):
    scn = shortened(os.path.join(ROOT, "scenarios", "you-build-it-ops-run-it.yaml"), weeks=4)
    with Runner(scn, 3, workers) as fast:
        assert fast.engine == "kernel"
        a, ha = merge(fast.run(0, 6))
    # replication by replication in this process, over the same replications
    b, hb = merge([run_chunk(scn, 3, 0, 6, play=kernel.run_replication)])
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
    for name, layout in ks.LAYOUTS.items():
        if layout.clean == ks.WRITTEN:
            getattr(st, name)[:] = garbage[getattr(st, name).dtype]
        elif layout.clean == ks.SUMS:
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
