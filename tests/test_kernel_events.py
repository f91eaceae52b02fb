"""``kernel_events``: the compiled merge gives numpy's stable order and exactly the
arrays of a lexsort of the concatenated events, ties included."""

from __future__ import annotations

import dataclasses
import glob
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_kernel import shortened
from whorunsit.engine.loop import kernel
from whorunsit.engine.plan.kernel_events import stable_order
from whorunsit.engine.plan.plan import plan_for
from whorunsit.engine.random.kernel_draws import AppIncidents, draw

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.yaml")))


def check_order(t: np.ndarray, lo: float, hi: float) -> None:
    key, idx = stable_order(t, lo, hi)
    expected = np.argsort(t, kind="stable")
    assert np.array_equal(idx, expected)
    assert np.array_equal(key, t[expected])


def test_stable_order_on_many_shapes():
    rng = np.random.default_rng(4)
    for n in list(range(0, 40)) + [100, 1000, 5000]:
        for t in (rng.random(n) * 100,  # spread out
                  np.round(rng.random(n) * 5) * 20,  # few distinct times: ties
                  np.sort(rng.random(n)) * 100,  # already sorted
                  rng.random(n)[::-1].copy(),  # within a corner of [lo, hi]
                  np.concatenate([rng.random(n // 2) * 100, np.full(n - n // 2, 50.0)]),
                  rng.exponential(1.0, n) * 100 - 10):  # some outside [lo, hi]
            check_order(t, 0.0, 100.0)
    t = np.array([3.0, np.inf, -np.inf, 0.0, -0.0, 1e300, 2.0, np.inf, 0.0])
    check_order(t, 0.0, 4.0)
    check_order(rng.random(50), 1.0, 1.0)  # an empty range: one bucket, merge sorted


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=False, width=64), max_size=300),
       st.floats(0.0, 1e4), st.floats(0.0, 1e4))
def test_stable_order_on_any_floats(xs, lo, span):
    check_order(np.asarray(xs, dtype=float), lo, lo + span)


def same_arrays(a, b) -> None:
    assert len(a) == len(b) == 4
    for x, y in zip(a, b, strict=True):
        assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f")


@pytest.mark.parametrize("path", SCENARIOS, ids=os.path.basename)
def test_external_is_the_lexsort(path):
    scn = shortened(path, weeks=8)
    if not kernel.eligible(scn):
        return
    plan = plan_for(scn)
    kp, caps = kernel._compiled(plan)
    for r in range(3):
        _dr, incs, dep_times = draw(plan, 5, r, caps["rework"], kp)
        ext, arrivals = kernel._events(plan, incs, dep_times)
        same_arrays(ext, kernel._external_lexsort(plan, incs, dep_times))
        assert arrivals == int((ext[1] == kernel.EV_ARRIVE).sum())


def test_external_ties_late_detections_and_nan():
    """Arrivals at the very instants of calendar flips and of each other, detections at
    and after the horizon (left out), and a NaN request time (the lexsort's order)."""
    scn = shortened(os.path.join(ROOT, "scenarios", "you-build-it-ops-run-it.yaml"), weeks=4)
    plan = plan_for(dataclasses.replace(scn))
    kp, caps = kernel._compiled(plan)
    _dr, incs, dep_times = draw(plan, 1, 0, caps["rework"], kp)
    flips = np.array([f[0] for f in plan.week.flips(plan.horizon)])
    rng = np.random.default_rng(9)
    tied = []
    for inc in incs:
        n = len(inc.detect_array)
        detect = np.sort(rng.choice(flips, n))  # every arrival on a flip
        detect[-2:] = [plan.horizon, plan.horizon + 5.0]
        tied.append(AppIncidents(inc.start_array, detect, inc.prio))
    deps = [np.sort(rng.choice(flips, len(d))) for d in dep_times]
    ext, arrivals = kernel._events(plan, tied, deps)
    same_arrays(ext, kernel._external_lexsort(plan, tied, deps))
    assert arrivals == sum(len(inc.detect_array) - 2 for inc in tied)
    deps[0] = deps[0].copy()
    deps[0][0] = np.nan
    ext, arrivals = kernel._events(plan, tied, deps)
    same_arrays(ext, kernel._external_lexsort(plan, tied, deps))
